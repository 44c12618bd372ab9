// The child side of bench/verify.ts: seeds the database DATABASE_URL names, times verify and a
// baseline scan, then reconciliation against a paced stand-in.
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import type { Provider } from "../../dev/simulator/databases";
import { ShopifyAdmin } from "../../dev/simulator/shopify-admin";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "bench-verify.myshopify.com";
const RECONCILE_SHOP = "bench-reconcile.myshopify.com";
const CALL_MS = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function runVerifyBench(provider: Provider, members: number, orders: number) {
  const url = process.env.DATABASE_URL!;
  const seedStarted = performance.now();
  await seed(provider, url, members);
  const seedS = (performance.now() - seedStarted) / 1000;

  const { default: db } = await import("../../app/db.server");
  const { verifyLedger } = await import("../../app/loyalty/verify.server");
  const times: number[] = [];
  const baselines: number[] = [];
  let report: Awaited<ReturnType<typeof verifyLedger>> | null = null;
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    await db.$queryRawUnsafe(`SELECT CAST(SUM("delta") AS BIGINT) AS s, COUNT(*) AS n FROM "LedgerEntry"`);
    baselines.push(performance.now() - started);
    started = performance.now();
    report = await verifyLedger(db);
    times.push(performance.now() - started);
  }
  const shopTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await verifyLedger(db, { shop: SHOP });
    shopTimes.push(performance.now() - started);
  }
  console.log(
    `[${provider}] verify: ${report!.checked.members.toLocaleString("en")} members, ${report!.checked.entries.toLocaleString("en")} entries, ` +
      `${report!.checked.orders.toLocaleString("en")} orders, ${report!.checked.redemptions.toLocaleString("en")} redemptions (seeded in ${seedS.toFixed(1)} s); ` +
      `ok=${report!.ok}; median of 3: all shops ${(median(times) / 1000).toFixed(2)} s, --shop ${(median(shopTimes) / 1000).toFixed(2)} s; ` +
      `per check ${JSON.stringify(report!.timings)}; baseline full ledger scan ${(median(baselines) / 1000).toFixed(2)} s (verify = ${(median(times) / median(baselines)).toFixed(1)}x)`,
  );
  if (!report!.ok) process.exitCode = 1;

  await reconcileBench(provider, db, orders);
  await db.$disconnect();
}

async function seed(provider: Provider, url: string, members: number) {
  const series = (n: string) =>
    provider === "sqlite" ? `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n}) SELECT n FROM s` : `SELECT n FROM generate_series(1, ${n}) AS g(n)`;
  const k = provider === "sqlite" ? `WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < 8) SELECT k FROM k` : `SELECT k FROM generate_series(1, 8) AS g(k)`;
  const text = (expression: string) => (provider === "sqlite" ? `CAST(${expression} AS TEXT)` : `CAST(${expression} AS TEXT)`);
  // Per member n: orders n*10+k (k = 1..8) earning 10+k; a refund of 5 points on order 1; a
  // redemption of 50 points. Balance 116 − 5 − 50 = 61; 10 ledger rows.
  const statements = [
    `INSERT INTO "Shop" ("domain", "program", "updatedAt") VALUES ('${SHOP}', '{}', CURRENT_TIMESTAMP)`,
    `INSERT INTO "Member" ("id", "shopDomain", "customerId", "referralCode", "balance", "lifetimeEarned", "updatedAt")
       SELECT n, '${SHOP}', 1000000000 + n, 'R' || ${text("n")}, 61, 116, CURRENT_TIMESTAMP FROM (${series(String(members))}) s`,
    `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey")
       SELECT '${SHOP}', n, 10 + k, 'earn', 'available', 'order', ${text("n * 10 + k")}, 'bench', 'order:' || ${text("n * 10 + k")} || ':earn'
       FROM (${series(String(members))}) s CROSS JOIN (${k}) kk`,
    `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey")
       SELECT '${SHOP}', n, -5, 'refund_reversal', 'available', 'refund', ${text("n * 10 + 1")}, 'bench', 'refund:' || ${text("n * 10 + 1")} FROM (${series(String(members))}) s`,
    `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey")
       SELECT '${SHOP}', n, -50, 'redeem', 'available', 'reward', ${text("n")}, 'bench', 'redemption:' || ${text("n")} || ':redeem' FROM (${series(String(members))}) s`,
    `INSERT INTO "OrderSnapshot" ("shopDomain", "orderId", "customerId", "holderMemberId", "currency", "paidAt", "eligibleMinor", "amountExponent", "earnPoints", "earnPerMajorUnits", "earnMultiplierPct", "pointsCredited", "updatedAt")
       SELECT '${SHOP}', n * 10 + k, 1000000000 + n, n, 'USD', CURRENT_TIMESTAMP, (10 + k) * 100, 2, 1, 1, 100, CASE WHEN k = 1 THEN 6 ELSE 10 + k END, CURRENT_TIMESTAMP
       FROM (${series(String(members))}) s CROSS JOIN (${k}) kk`,
    `INSERT INTO "OrderRefund" ("shopDomain", "refundId", "orderId", "subtotalMinor", "taxMinor", "amountExponent")
       SELECT '${SHOP}', n * 10 + 1, n * 10 + 1, 500, 0, 2 FROM (${series(String(members))}) s`,
    `INSERT INTO "Redemption" ("id", "shopDomain", "memberId", "rewardId", "kind", "title", "reward", "pointsSpent", "amountExponent", "status", "code", "updatedAt")
       SELECT n, '${SHOP}', n, 1, 'fixed_amount', '5.00 off', '{}', 50, 2, 'issued', 'TALLY-' || ${text("n")}, CURRENT_TIMESTAMP FROM (${series(String(members))}) s`,
  ];
  if (provider === "sqlite") {
    const sqlite = new Database(url.slice("file:".length));
    sqlite.exec("BEGIN");
    for (const statement of statements) sqlite.exec(statement);
    sqlite.exec("COMMIT; ANALYZE;");
    sqlite.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const statement of statements) await client.query(statement);
    // Explicit ids leave the sequences behind: move them on, as the app inserts after this.
    for (const table of ["Member", "Redemption"]) await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT MAX("id") FROM "${table}"))`);
    await client.query("ANALYZE");
    await client.end();
  }
}

async function reconcileBench(provider: Provider, db: (typeof import("../../app/db.server"))["default"], orders: number) {
  const { reconcileShop } = await import("../../app/shopify/reconcile.server");
  const { recordOrderEvent } = await import("../../app/loyalty/ledger.server");
  const { orderPayload: parseOrder } = await import("../../app/shopify/payloads");
  const { sql } = await import("../../app/sql.server");
  const shopify = new ShopifyAdmin();
  // A stand-in for the library's Admin GraphQL client: the model's answer, after CALL_MS.
  let calls = 0;
  const graphql = (async (query: string, options?: { variables?: Record<string, unknown> }) => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, CALL_MS));
    const { body } = shopify.answer({ shop: RECONCILE_SHOP, query, variables: options?.variables ?? {} });
    return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
  }) as unknown as Parameters<typeof reconcileShop>[2];

  const since = new Date("2026-11-01T00:00:00Z");
  const until = new Date("2026-12-01T00:00:00Z");
  const payloads = Array.from({ length: orders }, (_, i) =>
    orderPayload({ id: 8_000_000 + i, customer: { id: 9_000_000 + (i % 2000) }, updatedAt: new Date(Date.parse("2026-11-20T10:00:00Z") + i * 1000).toISOString(), lines: [{ price: `${10 + (i % 50)}.00` }] }),
  );
  for (const payload of payloads) shopify.putOrder(RECONCILE_SHOP, payload);
  const sleep = async () => {}; // the stand-in reports a full bucket: no throttling waits
  // The stand-in builds the Admin schema (a large introspection file) on first use: not timed.
  shopify.answer({ shop: RECONCILE_SHOP, query: "query ShopFacts { shop { id } }", variables: {} });

  // The bulk operation's file, served after CALL_MS like every call.
  const download = async (url: string) => {
    await new Promise((resolve) => setTimeout(resolve, CALL_MS));
    const file = shopify.bulkFile(url);
    return file === undefined ? new Response("Not Found", { status: 404 }) : new Response(file);
  };
  const run = async (label: string, missedEvery: number, bulk: boolean) => {
    await db.shop.deleteMany({ where: { domain: RECONCILE_SHOP } });
    for (const [i, payload] of payloads.entries()) {
      if (missedEvery > 0 && i % missedEvery === 0) continue;
      const parsed = parseOrder.parse(payload);
      await recordOrderEvent(db, sql(), RECONCILE_SHOP, { kind: "paid", order: parsed.order, customer: parsed.customer }, "bench");
    }
    calls = 0;
    const started = performance.now();
    const report = await reconcileShop(db, RECONCILE_SHOP, graphql, { since, until, trigger: "cli", sleep, download, bulkMinOrders: bulk ? 1 : Number.POSITIVE_INFINITY });
    const seconds = (performance.now() - started) / 1000;
    const floor = (report.pages * CALL_MS) / 1000;
    console.log(
      `[${provider}] reconcile, ${label}: ${report.ordersSeen.toLocaleString("en")} orders in ${seconds.toFixed(2)} s = ${Math.round(report.ordersSeen / seconds).toLocaleString("en")} orders/s ` +
        `(${calls} calls, ${report.ordersFetched} read in full, ${report.ordersRepaired} repaired); ` +
        (bulk ? `one bulk operation, its file read once` : `baseline, the stand-in's pages alone: ${Math.round(report.ordersSeen / floor).toLocaleString("en")} orders/s`),
    );
  };
  await run("none missed", 0, false);
  await run("10% missed", 10, false);
  await run("none missed, bulk operation", 0, true);
  await run("10% missed, bulk operation", 10, true);
}
