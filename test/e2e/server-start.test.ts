// What the production server does at start, before any request: it parses the environment
// (refusing a bad value by name) and starts the job runner in its workers.
import { spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";
import { ensureBuilt, startApp, type RunningApp } from "../../dev/simulator/app-server";
import { createTestDatabase, type TestDatabase } from "../../dev/simulator/databases";

function runServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  ensureBuilt();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "server.js")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://tally.example.com", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe("server start", () => {
  it.each([
    ["SHOP_CACHE_TTL_MS", "ten"],
    ["WEB_CONCURRENCY", "zero"],
    ["LOG_LEVEL", "loud"],
    ["DATABASE_URL", "mysql://db/tally"],
  ])("stops at once on %s=%s, naming it", async (name, value) => {
    const { code, output } = await runServer({ [name]: value });
    expect(code).toBe(1);
    expect(output).toContain("Tally cannot start: fix these environment variables");
    expect(output).toContain(`  ${name} `);
  });

  it("stops when SHOPIFY_API_SECRET is missing", async () => {
    const { code, output } = await runServer({ SHOPIFY_API_SECRET: "" });
    expect(code).toBe(1);
    expect(output).toMatch(/SHOPIFY_API_SECRET is required/);
  });

  describe("with a valid environment", () => {
    let database: TestDatabase;
    let app: RunningApp;
    beforeAll(async () => {
      database = await createTestDatabase("sqlite");
      app = await startApp({ databaseUrl: database.url, apiKey: "k", apiSecret: "s", env: { WEB_CONCURRENCY: "2" } });
    });
    afterAll(async () => {
      await app?.stop();
      await database?.drop();
    });

    it("runs background jobs from the start, with no request needed: the storefront sweep has run", async () => {
      const sqlite = new Database(database.url.slice("file:".length), { readonly: true });
      try {
        await vi.waitFor(
          () => {
            const sweep = sqlite.prepare(`SELECT "runAt", "leaseOwner" FROM "Job" WHERE "key" = 'summary-sweep'`).get() as { runAt: number; leaseOwner: string | null } | undefined;
            // Run once (by one of the two workers) and scheduled a minute on.
            expect(sweep).toBeDefined();
            expect(sweep!.leaseOwner).toBeNull();
            expect(Number(sweep!.runAt)).toBeGreaterThan(Date.now() + 30_000);
          },
          { timeout: 15_000, interval: 100 },
        );
      } finally {
        sqlite.close();
      }
    });
  });
});
