// shop/redact of a large shop while another shop's orders stream in: the redaction must not turn
// any delivery into an error (SQLite has one writer at a time; a redaction that held it for
// seconds would make other workers' deliveries fail), and should slow them as little as it can.
// Used by `npm run bench:redact` (figures) and by an end-to-end test (no delivery fails).
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { webhookUri } from "../../dev/simulator/app-config";
import { startApp } from "../../dev/simulator/app-server";
import { createTestDatabase, type Provider, type TestDatabase } from "../../dev/simulator/databases";
import { signedWebhookRequest } from "../../dev/simulator/shopify-signing";
import { withDb } from "./database";
import { seedLargeShop } from "./large-shop";
import { deliverBatch, type LoadRun } from "./load";
import { signedOrderBatch, TOPIC } from "./orders";
import { checkLedger } from "./verify";

const REDACTED_SHOP = "leaving.myshopify.com";
const STREAM_SHOP = "staying.myshopify.com";
const API_KEY = "redact-bench-key";
const API_SECRET = "redact-bench-secret";

export interface RedactUnderLoadSettings {
  provider: Provider;
  members: number;
  concurrency: number;
  workers: number;
  /** Deliveries measured before the redaction, as the baseline. */
  baselineOrders: number;
  /** Give up waiting for the redaction after this long. */
  timeoutMs: number;
}

export interface RedactUnderLoadResult {
  settings: RedactUnderLoadSettings;
  redactWebhookStatus: number;
  redactWebhookMs: number;
  /** From the shop/redact delivery until the shop's last row was gone; null if it never was. */
  redactMs: number | null;
  baseline: LoadRun;
  during: LoadRun;
  ledgerOk: boolean;
  ledgerProblems: string[];
}

export async function redactUnderLoad(settings: RedactUnderLoadSettings): Promise<RedactUnderLoadResult> {
  const database = await createTestDatabase(settings.provider);
  try {
    await seedLargeShop(database, REDACTED_SHOP, settings.members);
    const app = await startApp({
      databaseUrl: database.url,
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      env: { WEB_CONCURRENCY: String(settings.workers), JOB_POLL_MS: "100" },
    });
    try {
      const uri = webhookUri(TOPIC);
      const options = { customerCount: 200, shop: STREAM_SHOP, secret: API_SECRET };
      const warmUp = signedOrderBatch("warm-up", 0, 200, options);
      const baselineBatch = signedOrderBatch("baseline", 1, settings.baselineOrders, options);
      // More than can be sent while the redaction runs; the stream stops when it is done.
      const duringBatch = signedOrderBatch("during", 2, 60_000, options);
      await deliverBatch(app.baseUrl, uri, warmUp, settings.concurrency);
      const baseline = await deliverBatch(app.baseUrl, uri, baselineBatch, settings.concurrency);

      let done = false;
      let redactMs: number | null = null;
      // The stream is under way when the redaction is asked for, and goes on until it is over.
      const streaming = deliverBatch(app.baseUrl, uri, duringBatch, settings.concurrency, () => done);
      const started = performance.now();
      const redact = await fetch(
        signedWebhookRequest(app.baseUrl, webhookUri("shop/redact"), "shop/redact", { shop_id: 60_921_728_001, shop_domain: REDACTED_SHOP }, { shop: REDACTED_SHOP, secret: API_SECRET }),
      );
      const redactWebhookMs = performance.now() - started;
      const watch = (async () => {
        while (!done) {
          if (await shopIsGone(database, REDACTED_SHOP)) {
            redactMs = performance.now() - started;
            done = true;
          } else if (performance.now() - started > settings.timeoutMs) done = true;
          else await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      await watch;
      const during = await streaming;

      const sent = [warmUp, baselineBatch, { deliveries: duringBatch.deliveries.slice(0, during.sent) }].flatMap((batch) =>
        batch.deliveries.map((delivery) => delivery.orderId),
      );
      const ledger = await withDb(database.url, (db) => checkLedger(db, STREAM_SHOP, sent));
      return {
        settings,
        redactWebhookStatus: redact.status,
        redactWebhookMs,
        redactMs,
        baseline,
        during,
        ledgerOk: ledger.ok,
        ledgerProblems: ledger.problems,
      };
    } finally {
      await app.stop();
    }
  } finally {
    await database.drop();
  }
}

async function shopIsGone(database: TestDatabase, shop: string): Promise<boolean> {
  if (database.provider === "sqlite") {
    const sqlite = new Database(database.url.slice("file:".length), { readonly: true, timeout: 5_000 });
    try {
      return !sqlite.prepare(`SELECT 1 FROM "Shop" WHERE "domain" = ?`).get(shop);
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(`SELECT 1 FROM "Shop" WHERE "domain" = $1`, [shop])).rowCount === 0;
  } finally {
    await client.end();
  }
}
