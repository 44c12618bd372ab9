// `npm run demo -- --once`, as a person runs it (against the build the tests made: --no-build),
// on a fresh embedded database: every check passes, Ada's redemption gets a code from the Admin
// API stand-in, and a second run on the same database passes too (the webhooks are recognised
// as repeats; the redemption is a new one, from what the first left her).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DESKTOP_USER_AGENT, launchChromium, screenshotPath } from "../../dev/simulator/browser";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";
import { ensureBuilt, freePort } from "../../dev/simulator/app-server";

const TSX_CLI = path.join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");

async function startDemo(databaseUrl: string, args: string[]) {
  ensureBuilt();
  return spawn(process.execPath, [TSX_CLI, "scripts/demo.ts", ...args, "--no-build"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DEMO_PORT: String(await freePort()),
      STOREFRONT_PORT: String(await freePort()),
      ADMIN_PORT: String(await freePort()),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function runDemo(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  const child = await startDemo(databaseUrl, ["--once"]);
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output };
}

describe("npm run demo -- --once", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "tally-demo-"));
  const databaseUrl = `file:${path.join(folder, "demo.sqlite")}`;
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("passes every check, with a redemption through the proxy and the stand-in, twice on one database", async () => {
    const first = await runDemo(databaseUrl);
    expect(first.output).toContain("All checks passed ✓");
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/✓ Ada Lovelace redeemed "5\.00 off your order" through the app proxy: 200, issued, code TALLY-[A-Z0-9]+/);
    expect(first.output).toContain("✓ Ada Lovelace's balance went from 1933 to 1433 (−500)");
    expect(first.output).toMatch(/✓ Shopify \(the local stand-in\) holds the code TALLY-[A-Z0-9]+: 5\.00 off, for Ada Lovelace only, once/);
    expect(first.output).toContain("✓ the storefront widget paints Ada Lovelace's balance: 1433 (expected 1433)");
    expect(first.output).toMatch(/✓ the admin's Home page answers through the local admin frame: 200 \/ 200/);
    // The program's growth: a tier upgrade with its multiplier, and a referral credit.
    expect(first.output).toContain("✓ tier upgrade: Hedy Lamarr holds Diamond after crossing 2500 points (expected Diamond)");
    expect(first.output).toContain("✓ tier multiplier: her first order earned 2600 at ×100%, the next 150 at ×150%");
    expect(first.output).toContain("Hedy Lamarr's tier before these deliveries: none; after: Diamond");
    expect(first.output).toContain("✓ referral credit: Mary Jackson's first paid order credited Hedy Lamarr 500 points (expected 500, once)");
    expect(first.output).not.toContain("✗");

    const second = await runDemo(databaseUrl);
    expect(second.output).toContain("All checks passed ✓");
    expect(second.code).toBe(0);
    expect(second.output).toContain("✓ every member (4) has the expected balance and lifetime earned");
    expect(second.output).toContain("✓ Ada Lovelace's balance went from 1433 to 933 (−500)");
    // Redelivered, the growth's events change nothing: one referral credit, the same balances.
    expect(second.output).toContain("✓ referral credit: Mary Jackson's first paid order credited Hedy Lamarr 500 points (expected 500, once)");
    expect(second.output).toContain("✓ Hedy Lamarr's balance 3250 (expected 3250), Mary Jackson's 40 (expected 40)");
    const codes = [first.output, second.output].map((output) => /code (TALLY-[A-Z0-9]+)/.exec(output)?.[1]);
    expect(codes[0]).not.toBe(codes[1]);
  }, 320_000);

  it("keeps running with the admin at the printed address, where a newcomer clicks through the demo shop", async () => {
    const child = await startDemo(databaseUrl, []);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const browser = await launchChromium();
    try {
      const deadline = Date.now() + 150_000;
      let adminUrl: string | undefined;
      while (!(adminUrl = /The admin is at (\S+)/.exec(output)?.[1])) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the demo printed no admin address:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_USER_AGENT });
      await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
      await page.goto(adminUrl);
      const app = page.frameLocator("iframe#app-frame");
      await app.getByRole("button", { name: "Verify balances" }).waitFor({ timeout: 30_000 });
      expect(await page.locator("body").innerText()).toContain("tally-demo.myshopify.com");
      await page.screenshot({ path: screenshotPath("demo-admin"), fullPage: true });
    } finally {
      await browser.close();
      child.kill("SIGINT");
      await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
    }
  }, 200_000);
});
