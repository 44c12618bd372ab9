// `npm run bench:dashboard`: how long the admin's Home takes to sum a large shop's figures
// (app/loyalty/dashboard.server.ts) at BENCH_MEMBERS members (default 100,000) with 10 ledger rows
// each (1,000,000 entries, spread over the last 365 days), one paid order each, on each database,
// for every period: first before the `ledger-days` job has summed any day (every point read from
// the ledger), then after it (the days that are over read from LedgerDaySum, the ledger only after
// them; the job's first run, summing the whole history, is timed too); and the plan each database
// chooses for the ledger's sum (it must read the index made for it,
// "LedgerEntry_shopDomain_createdAt_kind_delta_idx"). Baseline: one full scan summing the shop's
// ledger. Each database runs in a child process (the app's modules bind
// DATABASE_URL when imported).
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { seedLargeShop } from "./lib/large-shop";
import { createTestDatabase, type Provider, type TestDatabase } from "../dev/simulator/databases";

const members = Number(process.env.BENCH_MEMBERS ?? 100_000);
const databases = (process.env.BENCH_DATABASES ?? "sqlite,postgres").split(",").map((name) => name.trim()) as Provider[];
const SHOP = "bench-dashboard.myshopify.com";
const child = process.argv.indexOf("--child");

// Nine more rows a member: earns, a redemption, an expiry, one a day back over the year.
const MORE_LEDGER = {
  sqlite: `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey", "createdAt")
    SELECT m."shopDomain", m."id", CASE WHEN k.i = 8 THEN -500 WHEN k.i = 9 THEN -5 ELSE 25 END, CASE WHEN k.i = 8 THEN 'redeem' WHEN k.i = 9 THEN 'expiry' ELSE 'earn' END,
      'available', 'order', CAST(m."customerId" AS TEXT), 'seed', 'seed:' || m."id" || ':' || k.i,
      strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || ((m."id" * 7 + k.i * 41) % 365) || ' days')
    FROM "Member" m, (WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 9) SELECT i FROM k) k WHERE m."shopDomain" = ?`,
  postgres: `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey", "createdAt")
    SELECT m."shopDomain", m."id", CASE WHEN k.i = 8 THEN -500 WHEN k.i = 9 THEN -5 ELSE 25 END, CASE WHEN k.i = 8 THEN 'redeem' WHEN k.i = 9 THEN 'expiry' ELSE 'earn' END,
      'available', 'order', CAST(m."customerId" AS TEXT), 'seed', 'seed:' || m."id" || ':' || k.i,
      (now() AT TIME ZONE 'UTC') - ((m."id" * 7 + k.i * 41) % 365) * interval '1 day'
    FROM "Member" m, generate_series(1, 9) AS k(i) WHERE m."shopDomain" = $1`,
};

async function seed(database: TestDatabase): Promise<void> {
  await seedLargeShop(database, SHOP, members);
  if (database.provider === "sqlite") {
    const sqlite = new Database(database.url.slice("file:".length));
    sqlite.prepare(MORE_LEDGER.sqlite).run(SHOP);
    sqlite.exec("ANALYZE");
    sqlite.close();
  } else {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(MORE_LEDGER.postgres, [SHOP]);
    await client.query("VACUUM ANALYZE");
    await client.end();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function runChild(provider: Provider) {
  const { default: db } = await import("../app/db.server");
  const { sql } = await import("../app/sql.server");
  const { runSqlReads, rows } = await import("../app/sql-transaction.server");
  const { dashboard } = await import("../app/loyalty/dashboard.server");
  const { DASHBOARD_PERIODS } = await import("../app/loyalty/dashboard");
  const { sumLedgerDays } = await import("../app/loyalty/ledger-days.server");
  const connection = sql();
  const ledgerRows = await db.ledgerEntry.count({ where: { shopDomain: SHOP } });
  const periods = async () => {
    const measured: { period: string; medianMs: number; issued: number }[] = [];
    for (const period of DASHBOARD_PERIODS) {
      const times: number[] = [];
      let issued = 0;
      for (let run = 0; run < 5; run++) {
        const started = performance.now();
        const figures = await dashboard(db, connection, SHOP, period);
        times.push(performance.now() - started);
        issued = figures.points.issued;
      }
      measured.push({ period, medianMs: Math.round(median(times)), issued });
    }
    return measured;
  };
  const unsummed = await periods();
  const summing = performance.now();
  const summed = await sumLedgerDays(connection, SHOP);
  const summingMs = Math.round(performance.now() - summing);
  const results = (await periods()).map((result, i) => ({ ...result, unsummedMs: unsummed[i].medianMs, unsummedIssued: unsummed[i].issued }));
  const baselineTimes: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    await runSqlReads(connection, [rows(`SELECT SUM("delta") AS "s" FROM "LedgerEntry" WHERE "shopDomain" = ?`, [SHOP])]);
    baselineTimes.push(performance.now() - started);
  }
  const since = new Date(Date.now() - 30 * 86_400_000);
  const explain =
    provider === "sqlite"
      ? `EXPLAIN QUERY PLAN SELECT substr("createdAt", 1, 10), "kind", SUM("delta") FROM "LedgerEntry" WHERE "shopDomain" = ? AND "createdAt" >= ? GROUP BY 1, 2`
      : `EXPLAIN SELECT to_char("createdAt", 'YYYY-MM-DD'), "kind", SUM("delta") FROM "LedgerEntry" WHERE "shopDomain" = ? AND "createdAt" >= ? GROUP BY 1, 2`;
  const [plan] = await runSqlReads(connection, [rows(explain, [SHOP, provider === "sqlite" ? since.toISOString().slice(0, 10) : since])]);
  const planText = (plan as Record<string, unknown>[]).map((line) => String(line.detail ?? line["QUERY PLAN"])).join(" | ");
  console.log(JSON.stringify({ provider, members, ledgerRows, results, summingMs, daySums: summed.rows, baselineMs: Math.round(median(baselineTimes)), plan: planText }));
  await db.$disconnect();
}

if (child !== -1) {
  await runChild(process.argv[child + 1] as Provider);
  process.exit(0);
}

console.log(`Home's figures at ${members.toLocaleString("en")} members, ${(members * 10).toLocaleString("en")} ledger rows; median of 5 per period\n`);
for (const provider of databases) {
  const database = await createTestDatabase(provider);
  try {
    const started = performance.now();
    await seed(database);
    console.log(`${provider}: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", provider], {
      env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: "test", LOG_LEVEL: "silent", SUMMARY_SYNC_DELAY_MS: "off", SHOPIFY_API_KEY: "bench", SHOPIFY_API_SECRET: "bench", SHOPIFY_APP_URL: "https://bench.test" },
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`the ${provider} run failed:\n${result.stderr}`);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as {
      ledgerRows: number;
      results: { period: string; medianMs: number; issued: number; unsummedMs: number; unsummedIssued: number }[];
      summingMs: number;
      daySums: number;
      baselineMs: number;
      plan: string;
    };
    console.log(`  ledger rows: ${report.ledgerRows.toLocaleString("en")}; baseline (sum of the shop's whole ledger): ${report.baselineMs} ms`);
    console.log(`  the ledger-days job's first run: ${report.daySums.toLocaleString("en")} day sums in ${report.summingMs} ms`);
    for (const row of report.results) {
      if (row.issued !== row.unsummedIssued) throw new Error(`${row.period}: ${row.issued} points issued with the day sums, ${row.unsummedIssued} without`);
      console.log(`  ${row.period.padEnd(4)} ${String(row.medianMs).padStart(6)} ms with the day sums, ${String(row.unsummedMs).padStart(6)} ms without   (points issued ${row.issued.toLocaleString("en")})`);
    }
    console.log(`  plan of the ledger's sum (30 days): ${report.plan}\n`);
  } finally {
    await database.drop();
  }
}
