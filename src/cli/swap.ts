// `junction swap initiate|respond|claim|refund|status|watch`: cross-rollup atomic swaps with HTLCs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, type Hex, isHex } from "viem";
import { SwapWatcher } from "../agents/swap-watcher/swap-watcher.js";
import { walletClientFor } from "../chain/clients.js";
import type { Manifest } from "../chain/manifest.js";
import {
  claimLock,
  ETH,
  getLock,
  lockFunds,
  newSwapSecret,
  refundLock,
  respondToSwap,
  type SwapLock,
} from "../sdk/htlc.js";
import { rollupOf } from "../sdk/index.js";
import {
  addressFlag,
  dataDirOf,
  intFlag,
  keyFlag,
  loggerOf,
  manifestOf,
  networkFlags,
  parseFlags,
  printJson,
  requiredFlag,
  UsageError,
  untilStopped,
  weiFlag,
} from "./options.js";

export const usage = `junction swap initiate --from CHAIN --counterparty ADDRESS --amount WEI [--token ADDRESS] [--timeout SECONDS]
junction swap respond --lock ID --lock-chain CHAIN --from CHAIN --amount WEI [--token ADDRESS] [--margin SECONDS]
junction swap claim --lock ID --chain CHAIN [--preimage HEX]
junction swap refund --lock ID --chain CHAIN
junction swap status --lock ID --chain CHAIN
junction swap watch
  Atomic swaps between rollups with hash-time locks. The initiator's secret is kept in
  DIR/swaps/<hashlock>.json (mode 600) and used by claim when --preimage is not given. The responder's
  deadline is the initiator's minus --margin (default 120 s). watch claims with any revealed preimage and
  refunds expired locks of the account. All take [--private-key KEY] [--data-dir DIR | --manifest FILE];
  the default account is the devnet's user.`;

const flags = {
  ...networkFlags,
  from: { type: "string" },
  counterparty: { type: "string" },
  amount: { type: "string" },
  token: { type: "string" },
  timeout: { type: "string" },
  lock: { type: "string" },
  "lock-chain": { type: "string" },
  chain: { type: "string" },
  margin: { type: "string" },
  preimage: { type: "string" },
  "private-key": { type: "string" },
} as const;

type Values = ReturnType<typeof parseFlags<typeof flags>>["values"];

function lockJson(lock: SwapLock) {
  return { ...lock, amount: lock.amount.toString(), deadline: lock.deadline.toString() };
}

function amountOf(values: Values): bigint {
  return weiFlag("amount", values.amount);
}

function lockIdOf(values: Values): Hex {
  const id = requiredFlag("lock", values.lock);
  if (!isHex(id) || id.length !== 66) throw new UsageError(`--lock must be a 32-byte lock id, got ${id}`);
  return id;
}

function secretFile(dataDir: string, hashlock: Hex): string {
  return join(dataDir, "swaps", `${hashlock}.json`);
}

function walletOn(manifest: Manifest, values: Values, chain: number) {
  return walletClientFor(
    rollupOf(manifest, chain),
    keyFlag(values["private-key"], manifest.accounts.user.privateKey),
  );
}

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === "--help" || action === "-h") {
    console.log(usage);
    return action === undefined ? 2 : 0;
  }
  const { values } = parseFlags(rest, flags);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const manifest = manifestOf(values);
  const token: Address = values.token === undefined ? ETH : addressFlag("token", values.token);
  switch (action) {
    case "initiate": {
      const chain = intFlag("from", values.from, -1, 1);
      const wallet = walletOn(manifest, values, chain);
      const { preimage, hashlock } = newSwapSecret();
      const file = secretFile(dataDirOf(values), hashlock);
      mkdirSync(join(dataDirOf(values), "swaps"), { recursive: true });
      writeFileSync(file, JSON.stringify({ hashlock, preimage }), { mode: 0o600 });
      const now = BigInt(Math.floor(Date.now() / 1000));
      const lock = await lockFunds(wallet, manifest, {
        recipient: addressFlag("counterparty", values.counterparty),
        amount: amountOf(values),
        hashlock,
        deadline: now + BigInt(intFlag("timeout", values.timeout, 3600, 60)),
        token,
      });
      printJson({ ...lockJson(lock), secretFile: file });
      return 0;
    }
    case "respond": {
      const wallet = walletOn(manifest, values, intFlag("from", values.from, -1, 1));
      const lock = await respondToSwap(wallet, manifest, {
        initiatorLock: {
          chainId: intFlag("lock-chain", values["lock-chain"], -1, 1),
          lockId: lockIdOf(values),
        },
        amount: amountOf(values),
        token,
        marginSeconds: BigInt(intFlag("margin", values.margin, 120, 1)),
      });
      printJson(lockJson(lock));
      return 0;
    }
    case "claim": {
      const chainId = intFlag("chain", values.chain, -1, 1);
      const lockId = lockIdOf(values);
      const lock = await getLock(manifest, { chainId, lockId });
      const preimage = values.preimage ?? readPreimage(dataDirOf(values), lock.hashlock);
      if (!isHex(preimage) || preimage.length !== 66)
        throw new UsageError("--preimage must be 32 bytes of hex");
      const tx = await claimLock(walletOn(manifest, values, chainId), manifest, { lockId, preimage });
      printJson({ ...lockJson(await getLock(manifest, { chainId, lockId })), tx });
      return 0;
    }
    case "refund": {
      const chainId = intFlag("chain", values.chain, -1, 1);
      const lockId = lockIdOf(values);
      const tx = await refundLock(walletOn(manifest, values, chainId), manifest, { lockId });
      printJson({ ...lockJson(await getLock(manifest, { chainId, lockId })), tx });
      return 0;
    }
    case "status": {
      printJson(
        lockJson(
          await getLock(manifest, {
            chainId: intFlag("chain", values.chain, -1, 1),
            lockId: lockIdOf(values),
          }),
        ),
      );
      return 0;
    }
    case "watch": {
      const watcher = new SwapWatcher({
        network: manifest,
        privateKey: keyFlag(values["private-key"], manifest.accounts.user.privateKey),
        logger: loggerOf(values),
      });
      const stopping = untilStopped();
      await watcher.start();
      await stopping;
      await watcher.stop();
      return 0;
    }
    default:
      throw new UsageError(`unknown swap action "${action}"`, {
        details: "initiate, respond, claim, refund, status or watch",
      });
  }
}

function readPreimage(dataDir: string, hashlock: Hex): Hex {
  try {
    const { preimage } = JSON.parse(readFileSync(secretFile(dataDir, hashlock), "utf8")) as { preimage: Hex };
    return preimage;
  } catch (cause) {
    throw new UsageError(`no secret for hashlock ${hashlock} in ${dataDir}/swaps; pass --preimage`, {
      cause,
    });
  }
}
