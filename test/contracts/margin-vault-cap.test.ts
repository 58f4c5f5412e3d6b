// The margin vault's release cap, on one anvil node: what the engine's messages may pay out of a token
// per period is capped, so a broken trust path that forges releases drains at most the cap per period.
// FAKE (named): an externally owned account stands in for the vault's Inbox and delivers the engine's
// messages by calling `handle` itself — exactly what a forged checkpoint accepted by a broken verifier
// would make the real Inbox do, which cannot be caused here otherwise. Everything else is real.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, parseEther, parseEventLogs, zeroAddress } from "viem";
import { type AnvilNode, increaseTime, startAnvil } from "../../src/chain/anvil.js";
import {
  type JunctionPublicClient,
  type JunctionWalletClient,
  publicClientFor,
  walletClientFor,
} from "../../src/chain/clients.js";
import { freePort } from "../../src/chain/ports.js";
import {
  collateralVaultAbi,
  collateralVaultBytecode,
  testTokenAbi,
  testTokenBytecode,
} from "../../src/contracts/generated/index.js";
import { devnetAccounts } from "../../src/devnet/accounts.js";
import { encodeMarginMessage, MARGIN_MESSAGE } from "../../src/protocol/margin.js";
import { rejects } from "../helpers/chain.js";

const HUB = 777n;
const DAY = 86_400;
const CAP = parseEther("100");
const accounts = devnetAccounts();
const ENGINE = accounts.system.address; // only named as the sender of the engine's messages

describe("CollateralVault release cap", () => {
  let node: AnvilNode;
  let client: JunctionPublicClient;
  let owner: JunctionWalletClient;
  let fakeInbox: JunctionWalletClient;
  let token: Address;
  let vault: Address;
  const receiver = accounts.user.address;

  const mined = async (hash: Promise<Hex>) => {
    const receipt = await client.waitForTransactionReceipt({ hash: await hash });
    assert.equal(receipt.status, "success");
    return receipt;
  };
  const balanceOf = (account: Address) =>
    client.readContract({ address: token, abi: testTokenAbi, functionName: "balanceOf", args: [account] });
  const held = () =>
    client.readContract({
      address: vault,
      abi: collateralVaultAbi,
      functionName: "heldPayouts",
      args: [receiver, token],
    });
  /** The engine's release of `amount` to the receiver, delivered by the stand-in Inbox. */
  const release = (amount: bigint) =>
    mined(
      fakeInbox.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        functionName: "handle",
        args: [HUB, ENGINE, encodeMarginMessage(MARGIN_MESSAGE.release, receiver, token, amount)],
      }),
    );

  /** Anyone's claim of what is held for the receiver (the payment goes to the receiver). */
  const claimHeld = (wallet: JunctionWalletClient, forReceiver: Address = receiver) =>
    wallet.writeContract({
      address: vault,
      abi: collateralVaultAbi,
      functionName: "claimHeldPayout",
      args: [forReceiver, token],
    });

  before(async () => {
    node = await startAnvil({ chainId: 902, port: await freePort() });
    client = publicClientFor(node);
    owner = walletClientFor(node, accounts.deployer.privateKey);
    fakeInbox = walletClientFor(node, accounts.relayer.privateKey);
    const deploy = async (abi: readonly unknown[], bytecode: Hex, args: readonly unknown[]) =>
      (
        await mined(
          owner.deployContract({ abi, bytecode, args } as Parameters<typeof owner.deployContract>[0]),
        )
      ).contractAddress as Address;
    token = await deploy(testTokenAbi, testTokenBytecode, []);
    // No Outbox is needed: this vault only pays out.
    vault = await deploy(collateralVaultAbi, collateralVaultBytecode, [
      accounts.deployer.address,
      zeroAddress,
      fakeInbox.account.address,
      HUB,
      ENGINE,
    ]);
    await mined(
      owner.writeContract({
        address: token,
        abi: testTokenAbi,
        functionName: "mint",
        args: [vault, parseEther("1000")],
      }),
    );
  });

  after(async () => {
    await node?.stop();
  });

  it("pays releases without a cap until the owner sets one, and only the owner sets it (never with period 0)", async () => {
    await release(parseEther("150"));
    assert.equal(await balanceOf(receiver), parseEther("150"));
    await rejects(
      fakeInbox.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        functionName: "setReleaseLimit",
        args: [token, CAP, BigInt(DAY)],
      }),
      "OwnableUnauthorizedAccount",
    );
    await rejects(
      owner.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        functionName: "setReleaseLimit",
        args: [token, CAP, 0n],
      }),
      "InvalidPeriod",
    );
    await mined(
      owner.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        functionName: "setReleaseLimit",
        args: [token, CAP, BigInt(DAY)],
      }),
    );
  });

  it("holds what arrives over the period's cap, pays it when the period resets, and never more than the cap per period", async () => {
    const before = await balanceOf(receiver);
    await release(parseEther("60"));
    await release(parseEther("30"));
    assert.equal(await balanceOf(receiver), before + parseEther("90"), "within the cap: paid at once");
    // A forged 500 arrives: 10 left this period, so all 500 are held (the message is still delivered).
    const receipt = await release(parseEther("500"));
    const [event] = parseEventLogs({ abi: collateralVaultAbi, logs: receipt.logs, eventName: "PayoutHeld" });
    assert.equal(event?.args.amount, parseEther("500"));
    assert.equal(await balanceOf(receiver), before + parseEther("90"));
    assert.equal(await held(), parseEther("500"));
    // The rest of this period's cap is claimable at once, and then nothing until the reset.
    await mined(claimHeld(fakeInbox));
    assert.equal(await balanceOf(receiver), before + CAP);
    assert.equal(await held(), parseEther("490"));
    const [, resetsAt] = await client.readContract({
      address: vault,
      abi: collateralVaultAbi,
      functionName: "releasable",
      args: [token],
    });
    await rejects(claimHeld(owner), "ReleaseCapExhausted");
    // Next period: another cap's worth and no more (a second claim in it is refused by name).
    await increaseTime(node, DAY);
    const now = (await client.getBlock()).timestamp;
    assert.ok(now >= resetsAt);
    await mined(claimHeld(owner));
    await rejects(claimHeld(owner), "ReleaseCapExhausted");
    assert.equal(await balanceOf(receiver), before + 2n * CAP);
    assert.equal(await held(), parseEther("390"));
    await rejects(claimHeld(owner, accounts.filler.address), "NothingHeld");
  });
  it("lets only the owner void what a forged payout left held, so it cannot drain the vault cap by cap (review F2)", async () => {
    const before = await held();
    assert.ok(before > 0n, "the earlier test left a held payout");
    const voidIt = (wallet: JunctionWalletClient, amount: bigint) =>
      wallet.writeContract({
        address: vault,
        abi: collateralVaultAbi,
        functionName: "voidHeldPayout",
        args: [receiver, token, amount],
      });
    await rejects(voidIt(fakeInbox, before), "OwnableUnauthorizedAccount");
    await rejects(voidIt(owner, before + 1n), "NothingHeld");
    const vaultBefore = await balanceOf(vault);
    await mined(voidIt(owner, before));
    assert.equal(await held(), 0n);
    assert.equal(await balanceOf(vault), vaultBefore, "the tokens stay in the vault");
    await increaseTime(node, DAY);
    await rejects(claimHeld(owner), "NothingHeld");
  });
});
