// The dashboard in a real browser: Debian's chromium (driven by playwright-core) loads the page the
// devnet's API serves, sees a message sent during the test appear and reach "delivered", sees an
// optimistic checkpoint's challenge window count down, and saves a screenshot in test-output/.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { parseEther, toHex } from "viem";
import { DASHBOARD_DIR } from "../../src/api/server.js";
import { walletClientFor } from "../../src/chain/clients.js";
import { rollupOf } from "../../src/chain/manifest.js";
import { freePort } from "../../src/chain/ports.js";
import { fillIntent, openIntent, placeOrder, sendMessage } from "../../src/sdk/index.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUTPUT_DIR = resolve("test-output");
const WAIT_MS = 60_000;

describe("dashboard in chromium", () => {
  let devnet: TestDevnet;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    assert.ok(existsSync(join(DASHBOARD_DIR, "index.html")), "build the page first: npm run build:dashboard");
    assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
    devnet = await startTestDevnet({
      sequencer: { superblockTimeMs: 500 },
      l1BlockTime: 1,
      challengeWindow: 12,
      api: { port: await freePort() },
    });
    profile = mkdtempSync(join(tmpdir(), "junction-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
    const url = devnet.manifest.api?.url;
    assert.ok(url, "the manifest records the API's URL");
    await page.goto(`${url}/`);
    await page.locator('#connection[data-state="live"]').waitFor();
  });

  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await devnet?.stop();
  });

  it("shows the chains' heads and superblocks ticking", async () => {
    await page
      .locator('#chains tr[data-chain-id="901"] td.head')
      .filter({ hasText: /^[1-9]\d*$/ })
      .waitFor();
    const first = Number(await page.locator("#superblock-height").filter({ hasText: /^\d+$/ }).textContent());
    await page.waitForFunction(
      (height) => Number(document.getElementById("superblock-height")?.textContent) > height,
      first,
    );
  });

  it("shows a message sent now appear and reach delivered", async () => {
    const { manifest } = devnet;
    const wallet = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
    const sent = await sendMessage(wallet, manifest, {
      destinationChainId: 902,
      recipient: rollupOf(manifest, 902).contracts.recorder,
      body: toHex("seen in a browser"),
    });
    const row = page.locator(`#messages tr[data-message-id="${sent.id}"]`);
    await row.waitFor();
    assert.equal(await row.locator("td").nth(1).textContent(), "canonical");
    assert.equal(await row.locator("td").nth(2).textContent(), "901 → 902");
    await row.locator('td[data-status="delivered"]').waitFor();
    assert.match((await row.locator("td").nth(4).textContent()) ?? "", /^\d+ s$/);
  });

  it("shows an intent opened now go from open to filled to repaid", async () => {
    const { manifest } = devnet;
    const opened = await openIntent(
      walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey),
      manifest,
      {
        destinationChainId: 902,
        inputAmount: parseEther("5"),
        outputAmount: parseEther("4.95"),
        recipient: manifest.accounts.user.address,
        path: "canonical",
      },
    );
    const row = page.locator(`#intents tr[data-order-id="${opened.orderId}"]`);
    await row.locator('td[data-state="open"]').waitFor();
    assert.equal(await row.locator("td").nth(2).textContent(), "901 → 902");
    await fillIntent(
      walletClientFor(rollupOf(manifest, 902), manifest.accounts.filler.privateKey),
      manifest,
      {
        originData: opened.originData,
      },
    );
    await row.locator('td[data-state="repaid"]').waitFor();
  });

  it("shows a bid placed during the test in the order book, aggregated over rollups", async () => {
    const { manifest } = devnet;
    const price = parseEther("1111");
    for (const [chainId, amount] of [
      [901, "0.5"],
      [902, "0.25"],
    ] as const) {
      await placeOrder(
        walletClientFor(rollupOf(manifest, chainId), manifest.accounts.filler.privateKey),
        manifest,
        {
          side: "buy",
          price,
          amount: parseEther(amount),
        },
      );
    }
    const row = page.locator(`#orderbook tr[data-side="bid"][data-price="${price}"]`);
    await row.filter({ hasText: "0.75" }).waitFor();
    assert.equal(await row.locator("td").nth(3).textContent(), "2");
  });

  it("shows an optimistic checkpoint's challenge window counting down", async () => {
    const { manifest } = devnet;
    const wallet = walletClientFor(rollupOf(manifest, 901), manifest.accounts.user.privateKey);
    await sendMessage(wallet, manifest, {
      destinationChainId: 902,
      recipient: rollupOf(manifest, 902).contracts.optimisticRecorder,
      body: toHex("optimistic, from the browser test"),
    });
    const open = page
      .locator('#checkpoints tr[data-checkpoint^="optimistic:901:902:"]')
      .filter({ hasText: /closes in \d+ s/ })
      .first();
    await open.waitFor();
    const key = await open.getAttribute("data-checkpoint");
    const secondsOf = (text: string | null) => Number(/closes in (\d+) s/.exec(text ?? "")?.[1]);
    const before = secondsOf(await open.locator("td.window").textContent());
    assert.ok(before > 0 && before <= 12, `a window of at most 12 s, saw ${before}`);
    // The same checkpoint, later: fewer seconds left, then closed and final.
    await page.waitForFunction(
      ([checkpoint, seconds]) => {
        const text =
          document.querySelector(`tr[data-checkpoint="${checkpoint}"] td.window`)?.textContent ?? "";
        const left = /closes in (\d+) s/.exec(text);
        return left !== null && Number(left[1]) < Number(seconds);
      },
      [key, before] as const,
    );
    await page.locator(`tr[data-checkpoint="${key}"] td[data-state="final"]`).waitFor();
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = join(OUTPUT_DIR, "dashboard.png");
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(existsSync(file));
  });
});
