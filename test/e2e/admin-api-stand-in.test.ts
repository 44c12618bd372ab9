// The Shopify Admin API stand-in (dev/simulator/admin-api-stand-in.ts) that the demo and the
// redemption benchmark load into the production server: a redemption through the signed app
// proxy gets its code from it, and it can never be active in a production start (`npm start`
// runs `node server.js`, which never names it, and the preload refuses to load unless startApp
// asks for it on this machine).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiVersion } from "~/shopify/api-version";
import { CUSTOMERS_BY_EMAIL } from "~/shopify/graphql/customers-by-email";
import { withDb } from "../../bench/lib/database";
import { STAND_IN_SHOP_HEADER } from "../../dev/simulator/admin-api-stand-in";
import { PROJECT_ROOT, proxyPath, storefrontProxyPrefix, webhookUri } from "../../dev/simulator/app-config";
import { ensureBuilt, startApp, type RunningApp } from "../../dev/simulator/app-server";
import { createTestDatabase, type Provider, type TestDatabase } from "../../dev/simulator/databases";
import { storeOfflineSession } from "../../dev/simulator/offline-session";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { signedProxyQuery, signedWebhookRequest } from "../../dev/simulator/shopify-signing";

const API_KEY = "stand-in-e2e-key";
const API_SECRET = "stand-in-e2e-secret";
const SHOP = "stand-in-e2e.myshopify.com";
const PRELOAD = path.join(PROJECT_ROOT, "dev/simulator/admin-api-stand-in.preload.mjs");

interface RedeemAnswer {
  redemption?: { status: string; code: string | null; pointsSpent: number; amount: string };
  member?: { balance: number };
  error?: { code: string };
}

function client(app: RunningApp) {
  const query = (customerId: number) => signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId, secret: API_SECRET });
  return {
    /** A paid order worth `points` points: the shop (with its default 500-point reward) and the member. */
    earn: async (orderId: number, customerId: number, points: number) => {
      const payload = orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: `${points}.00` }] });
      const response = await fetch(signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", payload, { shop: SHOP, secret: API_SECRET }));
      expect(response.status).toBe(200);
    },
    rewardId: async (customerId: number) => {
      const body = (await (await fetch(`${app.baseUrl}${proxyPath("program")}?${query(customerId)}`)).json()) as { program: { rewards: { id: number; costPoints: number }[] } };
      return body.program.rewards.find((reward) => reward.costPoints === 500)!.id;
    },
    balance: async (customerId: number) =>
      ((await (await fetch(`${app.baseUrl}${proxyPath("customer")}?${query(customerId)}`)).json()) as { member: { balance: number } }).member.balance,
    redeem: async (customerId: number, rewardId: number) => {
      const response = await fetch(`${app.baseUrl}${proxyPath("redeem")}?${query(customerId)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ rewardId }),
      });
      return { status: response.status, body: (await response.json()) as RedeemAnswer };
    },
  };
}

describe.each<Provider>(["sqlite", "postgres"])("a redemption against the Admin API stand-in on %s", (provider) => {
  let database: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET, adminApiStandIn: { latencyMs: 20 }, env: { WEB_CONCURRENCY: "2" } });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it("issues a code that the stand-in then holds, for that customer, and takes the points once", async () => {
    const shop = client(app);
    await shop.earn(6_100_001, 6_200_001, 1_500);
    await withDb(database.url, (db) => storeOfflineSession(db, SHOP));
    const rewardId = await shop.rewardId(6_200_001);

    const { status, body } = await shop.redeem(6_200_001, rewardId);
    expect(status).toBe(200);
    expect(body.redemption).toMatchObject({ status: "issued", pointsSpent: 500, amount: "5.00" });
    expect(body.member?.balance).toBe(1_000);
    expect(await shop.balance(6_200_001)).toBe(1_000);

    const held = await app.adminApi!.state(SHOP);
    expect(held.discounts).toEqual([
      expect.objectContaining({ code: body.redemption!.code, amount: "5.00", customers: ["gid://shopify/Customer/6200001"], usageLimit: 1, usageCount: 0 }),
    ]);
    expect(held.calls.CreateBasicCode).toBe(1);
    // One Shopify for the whole server: both workers' calls land in the same state.
    await Promise.all([shop.redeem(6_200_001, rewardId), shop.redeem(6_200_001, rewardId)]);
    expect((await app.adminApi!.state(SHOP)).discounts).toHaveLength(3);
    expect(await shop.balance(6_200_001)).toBe(0);
  });
  it("finds the customers Shopify holds by email, as its customer search does (the CSV import's lookup)", async () => {
    await app.adminApi!.putCustomers(SHOP, [
      { id: 7_100_000_001, email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" },
      { id: 7_100_000_002, email: "grace@example.com", firstName: "Grace", lastName: "Hopper" },
    ]);
    const answer = await fetch(`${app.adminApi!.url}/admin/api/${apiVersion}/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_stand_in", [STAND_IN_SHOP_HEADER]: SHOP },
      body: JSON.stringify({ query: CUSTOMERS_BY_EMAIL, variables: { query: 'email:"ADA@example.com" OR email:"nobody@example.com"', first: 50 } }),
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { data: unknown }).data).toEqual({
      customers: { nodes: [{ legacyResourceId: "7100000001", firstName: "Ada", lastName: "Lovelace", defaultEmailAddress: { emailAddress: "ada@example.com" } }] },
    });
  });
});

describe("a production start never loads the stand-in", () => {
  it("`npm start` is `node server.js`, and neither it nor the build names the stand-in", () => {
    ensureBuilt();
    const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(packageJson.scripts.start).toBe("node server.js");
    for (const file of ["server.js", "build/server/index.js"]) {
      const source = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
      expect(source, file).not.toMatch(/admin-api-stand-in|TALLY_ADMIN_STAND_IN|--import/);
    }
  });

  it.each([
    ["without TALLY_ADMIN_STAND_IN=1", {}, /TALLY_ADMIN_STAND_IN=1 is not set/],
    ["for an app that is not on this machine", { TALLY_ADMIN_STAND_IN: "1", TALLY_ADMIN_STAND_IN_PORT: "4999" }, /SHOPIFY_APP_URL \(https:\/\/tally\.example\.com\) is not this machine/],
  ])("the preload refuses to load %s, and the server does not start", async (_, env, message) => {
    ensureBuilt();
    const child = spawn(process.execPath, ["--import", PRELOAD, path.join(PROJECT_ROOT, "server.js")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://tally.example.com", PORT: "0", TALLY_ADMIN_STAND_IN: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(output).toMatch(/Shopify Admin API stand-in .* refuses to load/);
    expect(output).toMatch(message);
    expect(output).not.toContain("Tally listening");
  });

  describe("the production server, started as `npm start` starts it", () => {
    let database: TestDatabase;
    let app: RunningApp;
    beforeAll(async () => {
      database = await createTestDatabase("sqlite");
      // Even with the flag in the caller's environment: only startApp's option loads the stand-in.
      process.env.TALLY_ADMIN_STAND_IN = "1";
      try {
        app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET });
      } finally {
        delete process.env.TALLY_ADMIN_STAND_IN;
      }
    });
    afterAll(async () => {
      await app?.stop();
      await database?.drop();
    });

    it("answers a redemption 503 when the shop has no session, and gives the points back", async () => {
      const shop = client(app);
      await shop.earn(6_100_101, 6_200_101, 600);
      const { status, body } = await shop.redeem(6_200_101, await shop.rewardId(6_200_101));
      expect(status).toBe(503);
      expect(body.error?.code).toBe("shopify_unavailable");
      expect(await shop.balance(6_200_101)).toBe(600);
      expect(app.adminApi).toBeNull();
    });

    it("with a session, goes to Shopify itself: no code from a stand-in, the points back", async () => {
      const shop = client(app);
      await shop.earn(6_100_102, 6_200_102, 600);
      await withDb(database.url, (db) => storeOfflineSession(db, SHOP));
      const { status, body } = await shop.redeem(6_200_102, await shop.rewardId(6_200_102));
      // Offline (as here), *.myshopify.com cannot be reached: 503. With a network, Shopify refuses
      // the made-up token: 502. Never a code.
      expect([502, 503]).toContain(status);
      expect(body.redemption).toBeUndefined();
      expect(await shop.balance(6_200_102)).toBe(600);
    });
  });
});
