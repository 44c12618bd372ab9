// The operator's endpoints on the production build (`node server.js`): /healthz (the process is
// up), /readyz (database reachable and migrated, 503 otherwise), /metrics (Prometheus text behind
// a bearer token, off without one) with figures that add up over two cluster workers.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { webhookUri } from "../../dev/simulator/app-config";
import { startApp, type RunningApp } from "../../dev/simulator/app-server";
import { createTestDatabase, type TestDatabase } from "../../dev/simulator/databases";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { signedWebhookRequest } from "../../dev/simulator/shopify-signing";

const API_KEY = "ops-key";
const API_SECRET = "ops-secret";
const SHOP = "ops-shop.myshopify.com";
const TOKEN = "metrics-token-for-the-e2e-test";

/** The value of one sample line of a Prometheus text answer (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(" ")[0];
    if (wanted.every((label) => labelText.includes(label))) return Number(line.split(" ").at(-1));
  }
  return 0;
}

describe("operations endpoints, 2 workers", () => {
  let database: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET, env: { WEB_CONCURRENCY: "2", METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  const metrics = (authorization?: string) => fetch(`${app.baseUrl}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });

  it("answers /healthz and /readyz", async () => {
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok");
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe("ready");
  });

  it("refuses /metrics without the bearer token, or with another one", async () => {
    expect((await metrics()).status).toBe(401);
    expect((await metrics(`Bearer not-the-token-at-all-xx`)).status).toBe(401);
    expect((await metrics(`Basic ${TOKEN}`)).status).toBe(401);
    expect((await metrics()).headers.get("www-authenticate")).toContain("Bearer");
  });

  it("counts every worker's webhooks: the figures add up whichever worker answers the scrape", async () => {
    const deliveries = 24;
    const responses = await Promise.all(
      Array.from({ length: deliveries }, (_, i) =>
        fetch(
          signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", orderPayload({ id: 9_100_000 + i, customer: { id: 9_200_000 + (i % 5) }, lines: [{ price: "10.00" }] }), {
            shop: SHOP,
            secret: API_SECRET,
          }),
        ),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(deliveries).fill(200));
    const forged = signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", orderPayload({ id: 9_100_999, lines: [{ price: "1.00" }] }), { shop: SHOP, secret: "wrong" });
    expect((await fetch(forged)).status).toBe(401);

    // Several scrapes, so that both workers answer some: each must report the whole server.
    for (let scrape = 0; scrape < 6; scrape++) {
      const response = await metrics(`Bearer ${TOKEN}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain");
      const text = await response.text();
      expect(sample(text, "tally_webhooks_total", { topic: "orders/paid", outcome: "processed" })).toBe(deliveries);
      expect(sample(text, "tally_webhooks_total", { topic: "orders/paid", outcome: "invalid_hmac" })).toBe(1);
      expect(sample(text, "tally_webhook_duration_seconds_count", { topic: "orders/paid" })).toBe(deliveries + 1);
      expect(text).toContain("# TYPE tally_summary_sync_backlog gauge");
      expect(text).toContain("# TYPE tally_redeems_total counter");
    }
  });

  it("counts job runs across workers", async () => {
    await vi.waitFor(
      async () => {
        const text = await (await metrics(`Bearer ${TOKEN}`)).text();
        expect(sample(text, "tally_job_runs_total", { job: "summary-sweep", outcome: "done" })).toBeGreaterThanOrEqual(1);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});

describe("operations endpoints on a database that is not migrated, without METRICS_TOKEN", () => {
  let database: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    database = await createTestDatabase("postgres", { migrate: false });
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it("is healthy but not ready, and /metrics is off", async () => {
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain("npm run setup");
    expect((await fetch(`${app.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});
