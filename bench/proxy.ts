// `npm run bench:proxy`: signed storefront reads through the app proxy, against a do-nothing
// Node server measured by the same client in the same run.
//
// For each database: a fresh migrated database, the production server (`node server.js`, one
// worker per CPU as `npm start`), 200 members (each enrolled by a signed GET /proxy/customer and
// credited by a signed orders/paid); a warm-up of 5,000 customer and 2,500 program reads (and
// 5,000 to the do-nothing server). Then, at each concurrency level, BENCH_READS reads of
//   customer   signed GET /proxy/customer for a random member (what a signed-in page view asks);
//   program    signed GET /proxy/program (what a visitor's page asks when the metafield is missing);
//   nothing    GET / on a do-nothing Node server (one process), the ceiling of this client;
// over keep-alive HTTP, each request with a query of its own, signed as Shopify's proxy signs it
// (all signed before the run is timed).
// Prints reads/s, p50 and p99, and the ratio of reads/s to the do-nothing server's.
// Goal at concurrency 16: ≥ 0.5 of the do-nothing server's reads/s and p99 < 25 ms (SQLite), the
// same p99 on PostgreSQL.
//
// Environment: BENCH_READS=10000 (per level and kind; a quarter at concurrency 1),
// BENCH_LEVELS=1,16,64, BENCH_DATABASES=sqlite,postgres, WEB_CONCURRENCY (server workers),
// BENCH_CPU_PROF=<dir> (profile the server with node --cpu-prof; .cpuprofile files land in <dir>).
import { spawn } from "node:child_process";
import http from "node:http";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { proxyPath, storefrontProxyPrefix, webhookUri } from "../dev/simulator/app-config";
import { freePort, startApp } from "../dev/simulator/app-server";
import { createTestDatabase, type Provider } from "../dev/simulator/databases";
import { orderPayload } from "../dev/simulator/shopify-payloads";
import { signedProxyQuery, signedWebhookRequest } from "../dev/simulator/shopify-signing";
import { ensureProductionBuild } from "./lib/build";
import { ownCpuMs, processCpuMs } from "./lib/cpu";
import { formatTable, writeResultsJson } from "./lib/report";
import { perSecond, summarizeLatencies, type LatencySummary } from "./lib/stats";

const SHOP = "tally-proxy-bench.myshopify.com";
const API_KEY = "tally-proxy-bench-key";
const API_SECRET = "tally-proxy-bench-secret";
const MEMBERS = 200;
const CUSTOMER_BASE = 7_700_000_000_000;

const reads = Number(process.env.BENCH_READS ?? 10_000);
/** Reads before each level; ten times as many customer reads (and five times program reads) before the first. */
const WARM_UP_READS = 500;
const levels = (process.env.BENCH_LEVELS ?? "1,16,64").split(",").map(Number);
const providers = (process.env.BENCH_DATABASES ?? "sqlite,postgres").split(",") as Provider[];
const workers = Number(process.env.WEB_CONCURRENCY ?? availableParallelism());
const cpuProfileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : null;

interface Level {
  database: Provider;
  kind: "customer" | "program" | "nothing";
  concurrency: number;
  readsPerSecond: number;
  latency: LatencySummary;
  failures: number;
  ratio: number | null;
  /** CPU µs per read: the server's (all its processes), and this client's. */
  serverCpuUs: number | null;
  clientCpuUs: number;
}

/**
 * Sends `count` GETs with `concurrency` in flight; `path()` gives each its path and query, all of
 * them made (and signed) before the clock starts, as bench:webhooks signs its deliveries: the
 * client shares the two cores with the server, and signing is Shopify's work, not the app's.
 * CPU per read is counted for the server (`serverPid` and its workers) and for this client, from
 * /proc: on two shared cores, reads/s moves with whatever else runs, CPU per read much less.
 */
async function load(port: number, path: () => string, count: number, concurrency: number, serverPid: number | undefined) {
  const paths = Array.from({ length: count }, path);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const requestPath = paths[next++];
      const started = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        const request = http.get({ agent, host: "127.0.0.1", port, path: requestPath, headers: { accept: "application/json" } }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode === 200));
        });
        request.on("error", () => resolve(false));
      });
      latencies.push(performance.now() - started);
      if (!ok) failures++;
    }
  };
  const serverCpuBefore = processCpuMs(serverPid);
  const clientCpuBefore = ownCpuMs();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  const serverCpuAfter = processCpuMs(serverPid);
  const clientCpuUs = ((ownCpuMs() - clientCpuBefore) * 1000) / count;
  agent.destroy();
  const serverCpuUs = serverCpuBefore === null || serverCpuAfter === null ? null : ((serverCpuAfter - serverCpuBefore) * 1000) / count;
  return { readsPerSecond: perSecond(latencies.length, wallMs), latency: summarizeLatencies(latencies), failures, serverCpuUs, clientCpuUs };
}

async function doNothingServer(): Promise<{ port: number; pid: number | undefined; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["-e", `require("node:http").createServer((q, s) => { s.writeHead(200, { "content-type": "application/json" }); s.end("{}"); }).listen(${port}, "127.0.0.1", () => console.log("up"))`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  return { port, pid: child.pid, stop: () => child.kill() };
}

async function benchDatabase(provider: Provider, nothing: { port: number; pid: number | undefined }): Promise<Level[]> {
  const database = await createTestDatabase(provider);
  const app = await startApp({
    databaseUrl: database.url,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    env: { WEB_CONCURRENCY: String(workers), ...(cpuProfileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${cpuProfileDir}` } : {}) },
  });
  const port = Number(new URL(app.baseUrl).port);
  const signed = (endpoint: string, customerId: number | null) =>
    `${proxyPath(endpoint)}?${signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId, secret: API_SECRET }).toString()}`;
  try {
    for (let i = 0; i < MEMBERS; i++) {
      const customerId = CUSTOMER_BASE + i;
      const request = signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", orderPayload({ id: 8_800_000_000 + i, customer: { id: customerId }, lines: [{ price: "42.00" }] }), {
        shop: SHOP,
        secret: API_SECRET,
      });
      const response = await fetch(request);
      if (response.status !== 200) throw new Error(`orders/paid answered ${response.status}`);
    }
    const randomMember = () => CUSTOMER_BASE + Math.floor(Math.random() * MEMBERS);
    // Warm-up, as a server that has served a while is: both kinds of read, many times over in
    // each worker (JIT-compiled paths, every member's codes and referral figures cached), before
    // anything is measured. Unwarmed, the first few thousand reads cost twice as much CPU.
    await load(port, () => signed("customer", randomMember()), WARM_UP_READS * 10, 16, undefined);
    await load(port, () => signed("program", null), WARM_UP_READS * 5, 16, undefined);
    await load(nothing.port, () => "/", WARM_UP_READS * 10, 16, undefined);
    const results: Level[] = [];
    for (const concurrency of levels) {
      const count = concurrency === 1 ? Math.ceil(reads / 4) : reads;
      // Warm-up, then the three kinds interleaved per level, so drift hits them alike.
      const serverPid = app.process.pid;
      await load(port, () => signed("customer", randomMember()), Math.min(WARM_UP_READS, count), concurrency, serverPid);
      const baseline = await load(nothing.port, () => "/", count, concurrency, nothing.pid);
      const customer = await load(port, () => signed("customer", randomMember()), count, concurrency, serverPid);
      const program = await load(port, () => signed("program", null), count, concurrency, serverPid);
      results.push({ database: provider, kind: "nothing", concurrency, ...baseline, ratio: null });
      for (const [kind, run] of [["customer", customer], ["program", program]] as const) {
        results.push({ database: provider, kind, concurrency, ...run, ratio: run.readsPerSecond / baseline.readsPerSecond });
      }
      console.log(`[${provider}] c=${concurrency}: customer ${customer.readsPerSecond.toFixed(0)}/s p99 ${customer.latency.p99Ms.toFixed(1)} ms; nothing ${baseline.readsPerSecond.toFixed(0)}/s`);
    }
    return results;
  } finally {
    await app.stop();
    await database.drop();
  }
}

/** The goal at concurrency 16: p99 < 25 ms on both databases, and the ratio ≥ 0.5 on SQLite. */
function meetsGoal(level: Level): boolean {
  return level.latency.p99Ms < 25 && (level.database !== "sqlite" || level.ratio! >= 0.5);
}

ensureProductionBuild();
const startedAt = new Date();
const load1 = loadavg();
const nothing = await doNothingServer();
const all: Level[] = [];
try {
  for (const provider of providers) all.push(...(await benchDatabase(provider, nothing)));
} finally {
  nothing.stop();
}
const load2 = loadavg();

console.log();
console.log(`server       node server.js, ${workers} worker(s); do-nothing server: one node:http process`);
console.log(`load avg     ${load1.map((v) => v.toFixed(2)).join(" ")} at start, ${load2.map((v) => v.toFixed(2)).join(" ")} at end`);
console.log(`goal         at concurrency 16: customer reads p99 < 25 ms, and on SQLite ≥ 0.5 × the do-nothing server's reads/s`);
console.log();
console.log(
  formatTable(
    ["database", "kind", "concurrency", "reads/s", "p50 ms", "p99 ms", "ratio vs nothing", "server CPU µs/read", "client CPU µs/read", "failures", "goal"],
    all.map((level) => [
      level.database,
      level.kind,
      String(level.concurrency),
      level.readsPerSecond.toFixed(1),
      level.latency.p50Ms.toFixed(2),
      level.latency.p99Ms.toFixed(2),
      level.ratio === null ? "—" : level.ratio.toFixed(2),
      level.serverCpuUs === null ? "n/a" : level.serverCpuUs.toFixed(0),
      level.clientCpuUs.toFixed(0),
      String(level.failures),
      level.kind === "customer" && level.concurrency === 16 ? (meetsGoal(level) ? "✓" : "✗") : "",
    ]),
    ["left", "left", "right", "right", "right", "right", "right", "right", "right", "right", "left"],
  ),
);
console.log();
console.log(`results: ${writeResultsJson({ startedAt, workers, reads, levels: all }, startedAt, "proxy")}`);
if (all.some((level) => level.failures > 0)) process.exitCode = 1;
