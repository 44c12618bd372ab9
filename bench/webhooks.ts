// `npm run bench:webhooks`: throughput and latency of orders/paid webhooks through the
// production server, on SQLite and on PostgreSQL, against a bare-insert floor on the same database.
//
// For each database: a fresh migrated database (dev/simulator/databases.ts); the bare insert loop
// (bench/lib/baseline.ts); the production app started on it (`node server.js`, as
// `npm start`); a warm-up; then BENCH_ORDERS signed deliveries, each a new paid order with a
// customer out of 200, at each concurrency; then the app is stopped and the ledger checked
// (one earn row per order, balances = Σ ledger). Databases are dropped at the end, on failure too.
// Every request is serialised and signed before timing starts.
//
// Each database runs twice, on a fresh database each time: with the default program ("plain":
// no tiers, referrals on but no order carries a code), and with the program grown ("tiers and
// referrals": three VIP tiers with multipliers, created through the admin's save path before the
// server starts, and every tenth order a new customer's first order carrying a member's referral code
// in `tally_referral`). The report compares the two (the issue's goal: within 20%).
//
// Reported per level: orders/s (wall time), p50/p99 latency per request, the ratio to the bare
// insert loop's tx/s, and the server's CPU ms per order (from /proc), which stays comparable when
// other processes load the machine and throughput does not.
//
// Build: the bench serves build/, so it measures what `npm run build` last produced. If there is
// no build it runs the build itself; if app/ changed since the build it warns and goes on (run
// `npm run build` first to measure the current code).
//
// Environment:
//   BENCH_ORDERS=1000         deliveries per concurrency level (fresh order ids per level)
//   BENCH_WARMUP=200          deliveries before the measured levels (checked, not timed)
//   BENCH_CONCURRENCY=1,8,32  requests in flight per level
//   BENCH_DATABASES=sqlite,postgres
//   BENCH_PROGRAMS=plain,growth  which programs to run (growth: tiers and referrals on)
//   BENCH_CPU_PROF=<dir>      profile the server (node --cpu-prof); .cpuprofile files land in <dir>
//   WEB_CONCURRENCY           server workers (default: one per CPU, as `npm start`)
//   TEST_POSTGRES_URL         PostgreSQL admin URL (default postgresql://postgres@127.0.0.1:5432/postgres)
//
// Exit status: 1 if any delivery was not answered 200, the ledger check failed, or the bench
// itself failed; missing the performance target is reported, not an error.
import { availableParallelism, cpus, loadavg } from "node:os";
import path from "node:path";
import { webhookUri } from "../dev/simulator/app-config";
import { startApp, type RunningApp } from "../dev/simulator/app-server";
import { createTestDatabase, type Provider, type TestDatabase } from "../dev/simulator/databases";
import { bareInsertLoop, type BaselineResult } from "./lib/baseline";
import { ensureProductionBuild } from "./lib/build";
import { ownCpuMs, processCpuMs } from "./lib/cpu";
import { withDb } from "./lib/database";
import { deliverBatch, type LoadRun } from "./lib/load";
import { addTiers, PROGRAMS, referralCodes as referralCodesOf, type Program } from "./lib/grown-program";
import { signedOrderBatch, TOPIC, type Batch } from "./lib/orders";
import { meetsTarget, printReport, writeResultsJson, type DatabaseResult, type LevelResult } from "./lib/report";
import { perSecond, summarizeLatencies } from "./lib/stats";
import { checkLedger } from "./lib/verify";

const BENCH_SHOP = "tally-bench.myshopify.com";
const BENCH_API_KEY = "tally-bench-api-key";
const BENCH_API_SECRET = "tally-bench-api-secret";
const CUSTOMER_COUNT = 200;
const WARM_UP_CONCURRENCY = 8;
const FAILURES_SHOWN = 5;
/** server.js closes gracefully on SIGTERM; a server that hangs past this is killed. */
const STOP_TIMEOUT_MS = 15_000;

interface Settings {
  orders: number;
  warmUp: number;
  concurrencies: number[];
  databases: Provider[];
  programs: Program[];
  cpuProfileDir: string | null;
  workers: number;
}

/** A load run plus the CPU the server and this client spent on it. */
interface MeasuredRun extends LoadRun {
  serverCpuMs: number | null;
  clientCpuMs: number;
}

interface Workload {
  warmUp: Batch;
  /** A level's batch; `referralCodes` makes every tenth order a referred new customer's. */
  level(index: number, referralCodes: readonly string[]): Batch;
}

function readSettings(): Settings {
  const databases = list(process.env.BENCH_DATABASES ?? "sqlite,postgres");
  for (const name of databases) {
    if (name !== "sqlite" && name !== "postgres") throw new Error(`BENCH_DATABASES: unknown database "${name}" (sqlite, postgres)`);
  }
  return {
    orders: positiveInteger("BENCH_ORDERS", 1000),
    warmUp: positiveInteger("BENCH_WARMUP", 200),
    concurrencies: list(process.env.BENCH_CONCURRENCY ?? "1,8,32").map((value) => parsePositive("BENCH_CONCURRENCY", value)),
    databases: databases as Provider[],
    programs: list(process.env.BENCH_PROGRAMS ?? PROGRAMS.join(",")).map((name) => {
      if (!(PROGRAMS as readonly string[]).includes(name)) throw new Error(`BENCH_PROGRAMS: unknown program "${name}" (${PROGRAMS.join(", ")})`);
      return name as Program;
    }),
    cpuProfileDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : null,
    workers: Number(process.env.WEB_CONCURRENCY ?? availableParallelism()),
  };
}

function list(value: string): string[] {
  return value.split(",").map((item) => item.trim()).filter(Boolean);
}

function positiveInteger(name: string, fallback: number): number {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : parsePositive(name, value);
}

function parsePositive(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a positive integer; got "${value}"`);
  return number;
}

/** Every request of the run, serialised and signed before anything is timed. */
function buildWorkload(settings: Settings): Workload {
  const options = { customerCount: CUSTOMER_COUNT, shop: BENCH_SHOP, secret: BENCH_API_SECRET };
  return {
    warmUp: signedOrderBatch("warm-up", 0, settings.warmUp, options),
    level: (index, referralCodes) =>
      signedOrderBatch(`concurrency ${settings.concurrencies[index]}`, index + 1, settings.orders, { ...options, referralCodes }),
  };
}

/** What still has to be undone if the run is interrupted (Ctrl-C): stop servers, drop databases. */
const pendingCleanups = new Set<() => Promise<void>>();

async function withCleanup<T>(cleanup: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  pendingCleanups.add(cleanup);
  try {
    return await work();
  } finally {
    pendingCleanups.delete(cleanup);
    await cleanup();
  }
}

async function benchDatabase(provider: Provider, program: Program, workload: Workload, settings: Settings): Promise<DatabaseResult> {
  const database = await createTestDatabase(provider);
  const label = program === "plain" ? provider : `${provider}+tiers/referrals`;
  return withCleanup(database.drop, async () => {
    progress(provider, `bare insert loop, ${settings.orders} transactions…`);
    const baseline = await withDb(database.url, (db) => bareInsertLoop(db, database.url, settings.orders, CUSTOMER_COUNT));
    progress(provider, `${baseline.txPerSecond.toFixed(1)} tx/s`);

    const { warmUp, levels, batches } = await runDeliveries(provider, program, database, workload, settings);
    const sentOrderIds = [workload.warmUp, ...batches].flatMap((batch) => batch.deliveries.map((delivery) => delivery.orderId));
    const ledger = await withDb(database.url, (db) => checkLedger(db, BENCH_SHOP, sentOrderIds));
    progress(provider, ledger.ok ? "ledger check ok" : `ledger check FAILED: ${ledger.problems.join("; ")}`);
    return {
      database: label,
      baseline,
      warmUp: { orders: warmUp.sent, failureCount: warmUp.failures.length, failures: warmUp.failures.slice(0, FAILURES_SHOWN) },
      levels: levels.map((run) => levelResult(run, baseline)),
      ledger,
    };
  });
}

/** The warm-up run, then one run per concurrency level, against the app started on `database`. */
async function runDeliveries(provider: Provider, program: Program, database: TestDatabase, workload: Workload, settings: Settings) {
  if (program === "growth") await withDb(database.url, (db) => addTiers(db, BENCH_SHOP));
  const app = await startApp({
    databaseUrl: database.url,
    apiKey: BENCH_API_KEY,
    apiSecret: BENCH_API_SECRET,
    env: {
      // As `npm start` runs by default: one worker per CPU (server.js).
      WEB_CONCURRENCY: String(settings.workers),
      ...(settings.cpuProfileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${settings.cpuProfileDir}` } : {}),
    },
  });
  return withCleanup(() => stopApp(app), async () => {
    const uri = webhookUri(TOPIC);
    progress(provider, `app on ${app.baseUrl}; warm-up, ${workload.warmUp.deliveries.length} deliveries…`);
    const warmUp = await deliverBatch(app.baseUrl, uri, workload.warmUp, WARM_UP_CONCURRENCY);
    reportFailures(provider, warmUp);

    // The warm-up enrolled the members: their referral codes go into the referred orders, signed
    // here, before any timing.
    const referralCodes = program === "growth" ? await withDb(database.url, (db) => referralCodesOf(db, BENCH_SHOP)) : [];
    if (program === "growth") progress(provider, `3 tiers; ${referralCodes.length} referral codes for the referred orders`);
    const levels: MeasuredRun[] = [];
    const batches: Batch[] = [];
    for (const [index, concurrency] of settings.concurrencies.entries()) {
      const batch = workload.level(index, referralCodes);
      batches.push(batch);
      const run = await measuredDelivery(app, () => deliverBatch(app.baseUrl, uri, batch, concurrency));
      const latency = summarizeLatencies(run.latenciesMs);
      progress(
        provider,
        `concurrency ${String(concurrency).padStart(2)}: ${perSecond(run.sent, run.wallMs).toFixed(1)} orders/s, ` +
          `p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms` +
          (run.serverCpuMs === null ? "" : `, server CPU ${(run.serverCpuMs / run.sent).toFixed(2)} ms/order`),
      );
      reportFailures(provider, run);
      levels.push(run);
    }
    return { warmUp, levels, batches };
  });
}

async function measuredDelivery(app: RunningApp, deliver: () => Promise<LoadRun>): Promise<MeasuredRun> {
  const serverBefore = processCpuMs(app.process.pid);
  const clientBefore = ownCpuMs();
  const run = await deliver();
  const serverAfter = processCpuMs(app.process.pid);
  return {
    ...run,
    serverCpuMs: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
    clientCpuMs: ownCpuMs() - clientBefore,
  };
}

async function stopApp(app: RunningApp): Promise<void> {
  const killer = setTimeout(() => app.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
  try {
    await app.stop();
  } finally {
    clearTimeout(killer);
  }
}

function levelResult(run: MeasuredRun, baseline: BaselineResult): LevelResult {
  const latency = summarizeLatencies(run.latenciesMs);
  const ordersPerSecond = perSecond(run.sent, run.wallMs);
  return {
    concurrency: run.concurrency,
    orders: run.sent,
    wallMs: run.wallMs,
    ordersPerSecond,
    latency,
    ratioVsBaseline: ordersPerSecond / baseline.txPerSecond,
    serverCpuMsPerOrder: run.serverCpuMs === null ? null : run.serverCpuMs / run.sent,
    clientCpuMsPerOrder: run.clientCpuMs / run.sent,
    meetsTarget: meetsTarget(ordersPerSecond, latency.p99Ms),
    failureCount: run.failures.length,
    failures: run.failures.slice(0, FAILURES_SHOWN),
  };
}

function reportFailures(provider: Provider, run: LoadRun): void {
  if (run.failures.length === 0) return;
  progress(provider, `${run.batch}: ${run.failures.length} of ${run.sent} deliveries failed, e.g.:`);
  for (const failure of run.failures.slice(0, FAILURES_SHOWN)) {
    console.error(`    order ${failure.orderId}: ${failure.status ?? "no response"} ${failure.detail}`);
  }
}

function progress(provider: Provider, message: string): void {
  console.log(`[${provider}] ${message}`);
}

async function main(): Promise<number> {
  const settings = readSettings();
  const startedAt = new Date();
  const loadAtStart = loadavg();
  ensureProductionBuild();
  const workload = buildWorkload(settings);

  const results: DatabaseResult[] = [];
  for (const provider of settings.databases) {
    for (const program of settings.programs) results.push(await benchDatabase(provider, program, workload, settings));
  }

  const environment = {
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown"}`,
    "load avg": `${loadAverage(loadAtStart)} at start, ${loadAverage(loadavg())} at end (1/5/15 min; other processes compete for the CPUs)`,
    orders: `${settings.orders} per level (+ ${settings.warmUp} warm-up), ${CUSTOMER_COUNT} customers`,
    server: `node server.js, ${settings.workers} worker${settings.workers === 1 ? "" : "s"} (WEB_CONCURRENCY)`,
  };
  printReport(results, environment);
  printProgramComparison(results);
  const file = writeResultsJson({ startedAt: startedAt.toISOString(), environment, settings, results }, startedAt);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);

  const failures = results.reduce(
    (sum, result) => sum + result.warmUp.failureCount + result.levels.reduce((n, level) => n + level.failureCount, 0),
    0,
  );
  const ledgerOk = results.every((result) => result.ledger.ok);
  if (failures > 0) console.error(`${failures} deliveries were not answered 200.`);
  return failures === 0 && ledgerOk ? 0 : 1;
}

/** Each database's grown program against its plain one, level by level (goal: within 20%). */
function printProgramComparison(results: readonly DatabaseResult[]): void {
  const grown = results.filter((result) => result.database.endsWith("+tiers/referrals"));
  if (grown.length === 0) return;
  console.log("\nTiers and referrals on vs the plain program (orders/s and server CPU per order; goal: within 20%):");
  for (const result of grown) {
    const plain = results.find((other) => other.database === result.database.replace("+tiers/referrals", ""));
    if (!plain) continue;
    for (const level of result.levels) {
      const base = plain.levels.find((other) => other.concurrency === level.concurrency);
      if (!base) continue;
      const throughput = level.ordersPerSecond / base.ordersPerSecond;
      const cpu = level.serverCpuMsPerOrder && base.serverCpuMsPerOrder ? level.serverCpuMsPerOrder / base.serverCpuMsPerOrder : null;
      console.log(
        `  ${plain.database.padEnd(10)} concurrency ${String(level.concurrency).padStart(2)}: ${level.ordersPerSecond.toFixed(1)} vs ${base.ordersPerSecond.toFixed(1)} orders/s ` +
          `(×${throughput.toFixed(2)}), CPU ${cpu === null ? "—" : `×${cpu.toFixed(2)}`} ${throughput >= 0.8 ? "✓" : "✗"}`,
      );
    }
  }
}

function loadAverage([one, five, fifteen]: number[]): string {
  return [one, five, fifteen].map((value) => value.toFixed(2)).join(" ");
}

process.once("SIGINT", () => {
  console.error("\nInterrupted: stopping the app and dropping bench databases…");
  void Promise.allSettled([...pendingCleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
