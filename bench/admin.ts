// `npm run bench:admin`: the merchant admin at scale. For each database (SQLite, then
// PostgreSQL) it seeds a shop of 100,000 members and 1,000,000 ledger rows (scripts/seed-members.ts),
// then measures:
// - the members index query (app/loyalty/member-search.server.ts) over a mix a merchant makes:
//   first and deep pages in each sort, tier filters, common and rare searches, customer ids;
// - the Home dashboard's aggregates (app/loyalty/dashboard.server.ts), each period;
// - CSV export (members and ledger, streamed) in rows/s, with the process's peak RSS growth;
// - CSV import (the generic layout: half known customers, half new) in rows/s, then the same
//   file again (all already imported, nothing changes);
// and on SQLite the members page in Chromium: Lighthouse (desktop settings, the Shopify admin
// being a desktop surface: 40 ms RTT, 10 Mbit/s, no CPU slowdown) on the page as the admin
// frame opens it (dev/simulator/admin-frame), LCP and CLS, median of BENCH_RUNS (3).
// The last line reads `bench:admin members=<n> query_p95_ms=<x> lcp_ms=<y> cls=<z>` (SQLite).
//
// Options: --members 100000 --ledger-rows 1000000 --databases sqlite,postgres --import-rows 20000
import { parseArgs } from "node:util";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import * as constants from "lighthouse/core/config/constants.js";
import { createDb, type Db } from "../app/db.server";
import { databaseTarget } from "../app/database-url";
import { dashboard } from "../app/loyalty/dashboard.server";
import { sumLedgerDays } from "../app/loyalty/ledger-days.server";
import { DASHBOARD_PERIODS } from "../app/loyalty/dashboard";
import { ledgerCsvStream, memberCsvStream } from "../app/loyalty/csv-export.server";
import { createImport, runImport } from "../app/loyalty/csv-import.server";
import { parseImport } from "../app/loyalty/csv-import";
import { memberIndexQuery } from "../app/loyalty/member-search";
import { findMembers } from "../app/loyalty/member-search.server";
import { verifyLedger } from "../app/loyalty/verify.server";
import { closeSqlConnection, createSqlConnection, type SqlConnection } from "../app/sql.server";
import { adminHost, startAdminFrame } from "../dev/simulator/admin-frame";
import { startApp } from "../dev/simulator/app-server";
import { CHROMIUM_OFFLINE_FLAGS, CHROMIUM_PATH } from "../dev/simulator/browser";
import { createTestDatabase, type Provider } from "../dev/simulator/databases";
import { storeOfflineSession } from "../dev/simulator/offline-session";
import { seedMembers } from "../scripts/seed-members";
import { ensureProductionBuild } from "./lib/build";

const { values } = parseArgs({
  options: {
    members: { type: "string", default: "100000" },
    "ledger-rows": { type: "string", default: "1000000" },
    databases: { type: "string", default: "sqlite,postgres" },
    "import-rows": { type: "string", default: "20000" },
  },
});
const MEMBERS = Number(values.members);
const LEDGER_ROWS = Number(values["ledger-rows"]);
const IMPORT_ROWS = Number(values["import-rows"]);
const PROVIDERS = values.databases.split(",").map((name) => name.trim()) as Provider[];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SHOP = "bench-admin.myshopify.com";
const API_KEY = "bench-admin-key";
const API_SECRET = "bench-admin-secret";
const FIRST_CUSTOMER_ID = 8_000_000_000_000n;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => value.toFixed(1);

/** The index queries a merchant makes: each run REPEAT times after a warm-up. */
function queryMix(tierIds: number[]): string[] {
  const customer = String(FIRST_CUSTOMER_ID + BigInt(Math.floor(MEMBERS / 2)));
  return [
    "",
    "sort=balance_asc",
    "sort=activity_desc",
    "sort=activity_asc",
    ...tierIds.map((id) => `tier=${id}`),
    "tier=none&sort=activity_desc",
    "q=a",
    "q=ada",
    "q=ada%20love",
    "q=hopper",
    "q=elodie",
    `q=ada.lovelace.${Math.floor(MEMBERS / 3)}`,
    "q=nobody-has-this",
    `q=${customer}`,
    "q=gr&sort=activity_desc",
  ];
}
const REPEAT = 10;
const DEEP_PAGES = 20;

async function measureQueries(connection: SqlConnection, tierIds: number[]): Promise<number[]> {
  const timings: number[] = [];
  const timed = async (params: URLSearchParams) => {
    const started = performance.now();
    const page = await findMembers(connection, SHOP, memberIndexQuery(params));
    timings.push(performance.now() - started);
    return page;
  };
  for (const query of queryMix(tierIds)) {
    await findMembers(connection, SHOP, memberIndexQuery(new URLSearchParams(query)));
    for (let i = 0; i < REPEAT; i++) await timed(new URLSearchParams(query));
  }
  // Deep pages: a merchant paging on, in each sort.
  for (const sort of ["balance_desc", "activity_desc"]) {
    let after: string | null = null;
    const { encodeCursor } = await import("../app/loyalty/member-search");
    for (let page = 0; page < DEEP_PAGES; page++) {
      const params = new URLSearchParams({ sort, ...(after ? { after } : {}) });
      const result = await timed(params);
      if (!result.next) break;
      after = encodeCursor(result.next);
    }
  }
  return timings;
}

async function measureDashboard(db: Db, connection: SqlConnection): Promise<number[]> {
  const timings: number[] = [];
  for (const period of DASHBOARD_PERIODS) {
    await dashboard(db, connection, SHOP, period);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await dashboard(db, connection, SHOP, period);
      timings.push(performance.now() - started);
    }
  }
  return timings;
}

/** Reads a CSV stream to its end: rows, seconds, the peak RSS growth while it ran. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<{ rows: number; seconds: number; peakRssMb: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let newlines = 0;
  const started = performance.now();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const byte of value) if (byte === 10) newlines++;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  return { rows: newlines - 1, seconds: (performance.now() - started) / 1000, peakRssMb: (peak - baseline) / 1024 / 1024 };
}

async function measureImport(db: Db, connection: SqlConnection) {
  // Half the rows name seeded members (by customer id), half customers Tally has not seen.
  const lines = ["customer_id,points"];
  for (let i = 0; i < IMPORT_ROWS; i++) {
    const known = i % 2 === 0;
    lines.push(`${known ? FIRST_CUSTOMER_ID + BigInt(i) : 9_000_000_000_000n + BigInt(i)},${(i % 500) + 1}`);
  }
  const csv = lines.join("\n");
  const rates: number[] = [];
  for (let pass = 0; pass < 2; pass++) {
    const parsed = parseImport(csv);
    if (!parsed.ok) throw new Error(`import file: ${parsed.problem}`);
    const started = performance.now();
    const { id } = await createImport(db, SHOP, { fileName: "bench.csv", content: csv, parsed, actor: "staff:bench" });
    await runImport(db, connection, id, null);
    const seconds = (performance.now() - started) / 1000;
    const run = await db.memberImport.findUniqueOrThrow({ where: { id } });
    rates.push(IMPORT_ROWS / seconds);
    console.log(
      `  import pass ${pass + 1}: ${IMPORT_ROWS} rows in ${seconds.toFixed(1)} s = ${Math.round(IMPORT_ROWS / seconds)} rows/s (imported ${run.importedRows}, already imported ${run.skippedRows}, errors ${run.errorRows})`,
    );
  }
  return rates;
}

async function lighthouseMembersPage(databaseUrl: string): Promise<{ lcpMs: number; cls: number }> {
  ensureProductionBuild();
  const db = createDb(databaseTarget(databaseUrl));
  await storeOfflineSession(db, SHOP);
  await db.$disconnect();
  const app = await startApp({ databaseUrl, apiKey: API_KEY, apiSecret: API_SECRET });
  const admin = await startAdminFrame({ appUrl: app.baseUrl, shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: ["--headless=new", ...CHROMIUM_OFFLINE_FLAGS], logLevel: "silent" });
  try {
    // The app's document as the admin opens it in its iframe (LCP does not look into iframes),
    // through the frame's origin, which serves the App Bridge stand-in instead of Shopify's CDN.
    const pageUrl = () => {
      const url = new URL("/app/members", admin.url);
      url.searchParams.set("embedded", "1");
      url.searchParams.set("shop", SHOP);
      url.searchParams.set("host", adminHost(SHOP));
      url.searchParams.set("locale", "en");
      url.searchParams.set("id_token", admin.sessionToken());
      return url.toString();
    };
    const settings = {
      formFactor: "desktop" as const,
      screenEmulation: constants.screenEmulationMetrics.desktop,
      emulatedUserAgent: constants.userAgents.desktop,
      throttling: constants.throttling.desktopDense4G,
    };
    const audit = async () => {
      const result = await lighthouse(pageUrl(), { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] }, { extends: "lighthouse:default", settings });
      if (!result) throw new Error("Lighthouse returned nothing");
      const { audits, runtimeError, finalDisplayedUrl } = result.lhr;
      if (runtimeError) throw new Error(`Lighthouse: ${runtimeError.code} ${runtimeError.message}`);
      if (!new URL(finalDisplayedUrl).pathname.startsWith("/app/members")) throw new Error(`Lighthouse ended on ${finalDisplayedUrl}, not the members page`);
      return { lcpMs: Number(audits["largest-contentful-paint"].numericValue), cls: Number(audits["cumulative-layout-shift"].numericValue) };
    };
    await audit(); // warm-up: the app's first render and Chromium's caches count for neither
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await audit());
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(`  Lighthouse runs: ${runs.map((run) => `LCP ${Math.round(run.lcpMs)} ms CLS ${run.cls.toFixed(3)}`).join("; ")}`);
    return { lcpMs: median(runs.map((run) => run.lcpMs)), cls: median(runs.map((run) => run.cls)) };
  } finally {
    chrome.kill();
    await admin.stop();
    await app.stop();
  }
}

const summary: Record<string, { p95: number }> = {};
let chromium: { lcpMs: number; cls: number } | null = null;
for (const provider of PROVIDERS) {
  console.log(`\n== ${provider}`);
  const database = await createTestDatabase(provider);
  const db = createDb(databaseTarget(database.url));
  const connection = createSqlConnection(databaseTarget(database.url));
  try {
    const seeded = await seedMembers(db, connection, { shop: SHOP, members: MEMBERS, ledgerRows: LEDGER_ROWS, firstCustomerId: FIRST_CUSTOMER_ID });
    console.log(`  seeded ${seeded.members} members and ${seeded.ledgerRows} ledger rows in ${(seeded.ms / 1000).toFixed(1)} s`);
    if (provider === "postgres") {
      const client = connection.provider === "postgresql" ? connection.pool : null;
      await client?.query("ANALYZE");
    }
    // The hourly ledger-days job, as a server runs it: the Home reads the days that are over from it.
    const summing = performance.now();
    const daySums = await sumLedgerDays(connection, SHOP);
    console.log(`  ledger-days job: ${daySums.rows} day sums in ${Math.round(performance.now() - summing)} ms`);
    const verified = await verifyLedger(db, { shop: SHOP });
    console.log(`  verify: ${verified.ok ? "every balance equals its ledger" : `${verified.mismatches.length} mismatches`} (${verified.ms} ms)`);
    const tierIds = (await db.tier.findMany({ where: { shopDomain: SHOP }, select: { id: true } })).map((tier) => tier.id);

    const queries = await measureQueries(connection, tierIds);
    summary[provider] = { p95: percentile(queries, 95) };
    console.log(`  members index: ${queries.length} queries, p50 ${ms(percentile(queries, 50))} ms, p95 ${ms(percentile(queries, 95))} ms, max ${ms(Math.max(...queries))} ms`);

    const aggregates = await measureDashboard(db, connection);
    console.log(`  dashboard aggregates (${DASHBOARD_PERIODS.join(", ")}): p50 ${ms(percentile(aggregates, 50))} ms, p95 ${ms(percentile(aggregates, 95))} ms`);

    for (const [name, stream] of [
      ["members", () => memberCsvStream(connection, SHOP)],
      ["ledger", () => ledgerCsvStream(connection, SHOP)],
    ] as const) {
      const result = await drain(stream());
      console.log(`  CSV export ${name}: ${result.rows} rows in ${result.seconds.toFixed(1)} s = ${Math.round(result.rows / result.seconds)} rows/s, peak RSS growth ${result.peakRssMb.toFixed(0)} MiB`);
    }

    await measureImport(db, connection);
    if (provider === "sqlite") chromium = await lighthouseMembersPage(database.url);
    if (chromium && provider === "sqlite") console.log(`  members page (Chromium, Lighthouse desktop, median of ${RUNS}): LCP ${Math.round(chromium.lcpMs)} ms, CLS ${chromium.cls.toFixed(3)}`);
  } finally {
    await closeSqlConnection(connection);
    await db.$disconnect();
    await database.drop();
  }
}

const sqlite = summary.sqlite ?? Object.values(summary)[0];
console.log(
  `bench:admin members=${MEMBERS} query_p95_ms=${sqlite ? ms(sqlite.p95) : "n/a"} lcp_ms=${chromium ? Math.round(chromium.lcpMs) : "n/a"} cls=${chromium ? chromium.cls.toFixed(3) : "n/a"}`,
);
