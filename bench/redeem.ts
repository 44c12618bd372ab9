// `npm run bench:redeem`: redemptions through the production server, with Shopify's Admin API
// answering in 150 ms, on SQLite and on PostgreSQL.
//
// For each database: a fresh migrated database (dev/simulator/databases.ts); the production app
// started on it (`node server.js`, as `npm start`, one worker per CPU) with the Admin API stand-in
// loaded (dev/simulator/admin-api-stand-in.ts, answering each call after BENCH_SHOPIFY_LATENCY_MS);
// BENCH_MEMBERS members, each credited by a signed orders/paid webhook with points for every
// redemption below, an offline session for the shop (as OAuth leaves it) and the shop's
// maxRedeemsPerHour raised in its program. Then, in the same process:
//   1. the baseline: Shopify alone, the stand-in answering the app's discountCodeBasicCreate
//      directly, BENCH_MEMBERS in flight, after a warm-up as long as the redeems' (BENCH_WARMUP
//      calls per member, on the same connections, with no barrier between, as below): what a
//      redemption cannot go below;
//   2. the steady run: every member redeems the shop's default reward (500 points → 5.00 off)
//      BENCH_WARMUP times to warm up, then BENCH_REDEEMS times measured, one after the other with
//      no pause between the two, all members at once (so BENCH_MEMBERS in flight), each request a
//      POST /apps/tally/redeem with the query Shopify's app proxy signs, over keep-alive HTTP.
//      (No barrier after the warm-up: it would send every member's first measured redeem at the
//      same instant, and that herd alone would set the p99. It is measured next, on its own.);
//   3. a burst: every member redeems once, all sent at the same instant, over the connections the
//      steady run kept open (latency reported);
//   4. a race: every member sends BENCH_RACE redeems at once with points for half of them left
//      (exactly as many must be issued as the balances cover, the rest refused 409);
// and the checks: every member's balance = Σ its ledger and never below zero, one code in the
// stand-in per issued redemption (the same codes, each for its member), points spent = Σ the
// issued rewards' cost, every 200 an issued redemption and nothing left pending or failed.
//
// Reported: redeems/s (over the measured window), p50/p99 latency of the measured redeems, p99
// minus the stand-in's latency (the goal: within 50 ms), the server's CPU per redeem (workers;
// the stand-in's primary apart; both over the measured window, warm-ups in it counted), where a
// redeem's time goes (the server started with SERVER_TIMING=on names each step's duration in a
// Server-Timing header; the rest is HTTP, the signature, the body and the client), and the
// checks. Written to bench/results/redeem-<timestamp>.json. Exit status 1 if a check failed, a
// measured redeem was not answered 200, or the bench itself failed; missing the latency goal is
// reported, not an error.
//
// Environment:
//   BENCH_MEMBERS=20              members redeeming at once
//   BENCH_REDEEMS=50              measured redeems per member (after BENCH_WARMUP each)
//   BENCH_WARMUP=5
//   BENCH_RACE=6                  redeems each member sends at once at the end (points for half)
//   BENCH_SHOPIFY_LATENCY_MS=150  how long the stand-in takes to answer each Admin API call
//   BENCH_DATABASES=sqlite,postgres
//   WEB_CONCURRENCY               server workers (default: one per CPU, as `npm start`)
//   TEST_POSTGRES_URL             PostgreSQL admin URL (default postgresql://postgres@127.0.0.1:5432/postgres)
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import path from "node:path";
import { PROJECT_ROOT, proxyPath, storefrontProxyPrefix, webhookUri } from "../dev/simulator/app-config";
import { startApp, type RunningApp } from "../dev/simulator/app-server";
import { createTestDatabase, type Provider } from "../dev/simulator/databases";
import { storeOfflineSession } from "../dev/simulator/offline-session";
import { orderPayload } from "../dev/simulator/shopify-payloads";
import { signedProxyQuery, signedWebhookRequest } from "../dev/simulator/shopify-signing";
import { ensureProductionBuild } from "./lib/build";
import { commandCpuMs, machineCpu, machineShare, ownCpuMs, processCpuMs, singleProcessCpuMs } from "./lib/cpu";
import { withDb } from "./lib/database";
import { redeemAtOnce, redeemSteadily, withKeptConnections, shopifyAlone, type RedeemRun, type RedeemTarget } from "./lib/redeem-load";
import { checkRedemptions, type RedeemCheck } from "./lib/redeem-verify";
import { formatTable, writeResultsJson } from "./lib/report";
import { perSecond, summarizeLatencies, type LatencySummary } from "./lib/stats";

const BENCH_SHOP = "tally-redeem-bench.myshopify.com";
const BASELINE_SHOP = "tally-redeem-baseline.myshopify.com";
const BENCH_API_KEY = "tally-redeem-bench-key";
const BENCH_API_SECRET = "tally-redeem-bench-secret";
const CUSTOMER_ID_BASE = 7_300_000_000_000;
const ORDER_ID_BASE = 5_600_000_000_000;
/** The default reward of a new shop: 5.00 off for 500 points. */
const REWARD_COST = 500;
/** The program's ceiling for maxRedeemsPerHour (app/loyalty/program.ts). */
const MAX_REDEEMS_PER_HOUR = 10_000;
const BASELINE_CALLS_PER_CLIENT = 25;
/** The goal: p99 within this much of the stand-in's own latency. */
const GOAL_OVER_SHOPIFY_MS = 50;
const FAILURES_SHOWN = 5;
const STOP_TIMEOUT_MS = 15_000;

interface Settings {
  members: number;
  redeems: number;
  warmUp: number;
  race: number;
  shopifyLatencyMs: number;
  databases: Provider[];
  workers: number;
}

interface RunSummary {
  redeems: number;
  wallMs: number;
  redeemsPerSecond: number;
  latency: LatencySummary;
  p99OverShopifyMs: number;
  meetsGoal: boolean;
  /** CPU of the app's workers per redeem; of the stand-in (the primary) apart, when workers > 1. */
  serverCpuMsPerRedeem: number | null;
  standInCpuMsPerRedeem: number | null;
  /** CPU of every PostgreSQL process on the machine per redeem (on SQLite: what the server's idle PostgreSQL spent, near 0). */
  postgresCpuMsPerRedeem: number | null;
  /** CPU of this process, which plays the shoppers, per redeem. */
  clientCpuMsPerRedeem: number;
  /** The machine's CPUs over the measured window: busy (all processes) and stolen by the hypervisor, in percent. */
  machine: { busyPercent: number; stealPercent: number } | null;
  statuses: Record<string, number>;
  failures: { customerId: number; status: number | null; detail: string }[];
  /** Where the time of the measured redeems answered 200 went: the server's steps, and the rest. */
  steps: StepSummary[];
}

interface StepSummary {
  step: string;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** The step's mean over the slowest 1% of the redeems (those that set the p99): what the tail is made of. */
  slowestMeanMs: number;
}

/** The steps of an issued redeem, in order (app/shopify/redeem.server.ts). */
const ISSUED_STEPS = ["take", "shopify", "mark", "answer"] as const;
/** What the server's steps leave out: HTTP in and out, the signature, the body, the client. */
const OUTSIDE_STEP = "outside";

interface DatabaseResult {
  database: Provider;
  baseline: { calls: number; wallMs: number; latency: LatencySummary; failures: number };
  warmUp: { redeems: number; non200: number };
  measured: RunSummary;
  /** One redeem per member, all sent at the same instant: the herd the steady run leaves out. */
  burst: { redeems: number; non200: number; latency: LatencySummary };
  race: { sent: number; issued: number; refused409: number; other: number; expectedIssued: number };
  check: RedeemCheck;
  shopifyCalls: Record<string, number>;
}

function readSettings(): Settings {
  const databases = (process.env.BENCH_DATABASES ?? "sqlite,postgres").split(",").map((name) => name.trim()).filter(Boolean);
  for (const name of databases) if (name !== "sqlite" && name !== "postgres") throw new Error(`BENCH_DATABASES: unknown database "${name}" (sqlite, postgres)`);
  const race = positive("BENCH_RACE", 6);
  if (race % 2 !== 0) throw new Error(`BENCH_RACE must be even (points are left for half); got ${race}`);
  return {
    members: positive("BENCH_MEMBERS", 20),
    redeems: positive("BENCH_REDEEMS", 50),
    warmUp: positive("BENCH_WARMUP", 5),
    race,
    shopifyLatencyMs: positive("BENCH_SHOPIFY_LATENCY_MS", 150),
    databases: databases as Provider[],
    workers: positive("WEB_CONCURRENCY", availableParallelism()),
  };
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer; got "${raw}"`);
  return value;
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

async function benchDatabase(provider: Provider, settings: Settings): Promise<DatabaseResult> {
  const database = await createTestDatabase(provider);
  return withCleanup(database.drop, async () => {
    const app = await startApp({
      databaseUrl: database.url,
      apiKey: BENCH_API_KEY,
      apiSecret: BENCH_API_SECRET,
      adminApiStandIn: { latencyMs: settings.shopifyLatencyMs },
      env: { WEB_CONCURRENCY: String(settings.workers), SERVER_TIMING: "on", ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}) },
    });
    return withCleanup(() => stopApp(app), () => benchApp(provider, app, database.url, settings));
  });
}

async function benchApp(provider: Provider, app: RunningApp, databaseUrl: string, settings: Settings): Promise<DatabaseResult> {
  const standIn = app.adminApi!;
  const customerIds = Array.from({ length: settings.members }, (_, i) => CUSTOMER_ID_BASE + i);
  const redeemsPerMember = settings.warmUp + settings.redeems + 1 + settings.race / 2;
  const earnedPerMember = redeemsPerMember * REWARD_COST;

  progress(provider, `app on ${app.baseUrl} (${settings.workers} worker(s), Shopify answering in ${settings.shopifyLatencyMs} ms); ${settings.members} members earning ${earnedPerMember} points each…`);
  // Installed first, as a shop is before its orders: each worker remembers for a minute whether
  // the shop has a session (summary-sync-request.server.ts), and a session stored after the first
  // deliveries would leave the storefront sync and Flow triggers out of some runs but not others.
  await withDb(databaseUrl, (db) => storeOfflineSession(db, BENCH_SHOP));
  await Promise.all(customerIds.map((customerId, i) => earn(app.baseUrl, ORDER_ID_BASE + i, customerId, earnedPerMember)));
  await withDb(databaseUrl, async (db) => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: BENCH_SHOP } });
    const program = JSON.parse(shop.program) as { redemption?: Record<string, unknown> };
    program.redemption = { ...program.redemption, maxRedeemsPerHour: MAX_REDEEMS_PER_HOUR };
    await db.shop.update({ where: { domain: BENCH_SHOP }, data: { program: JSON.stringify(program) } });
  });
  // Each worker keeps the shop's program for SHOP_CACHE_TTL_MS (10 s): the raised limit reaches
  // them once the program they read with the earning webhooks has expired.
  progress(provider, "waiting 11 s for the workers to read the raised limit…");
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const target: RedeemTarget = { baseUrl: app.baseUrl, shop: BENCH_SHOP, secret: BENCH_API_SECRET, rewardId: await defaultRewardId(app.baseUrl) };

  const baselineCalls = settings.members * BASELINE_CALLS_PER_CLIENT;
  progress(provider, `baseline: Shopify alone (the stand-in, called directly), ${baselineCalls} discountCodeBasicCreate after ${settings.members * settings.warmUp} to warm up, ${settings.members} in flight…`);
  const alone = await shopifyAlone(standIn.url, BASELINE_SHOP, { warmUp: settings.members * settings.warmUp, calls: baselineCalls, concurrency: settings.members });
  const baseline = { calls: alone.latenciesMs.length, wallMs: alone.wallMs, latency: summarizeLatencies(alone.latenciesMs), failures: alone.failures };
  progress(provider, `baseline: p50 ${baseline.latency.p50Ms.toFixed(1)} ms, p99 ${baseline.latency.p99Ms.toFixed(1)} ms`);

  progress(provider, `${settings.warmUp} redeems per member to warm up, then ${settings.redeems} measured, ${settings.members} in flight…`);
  const { steady, summary, burstRun } = await withKeptConnections(settings.members, async (agent) => {
    let cpuBefore = cpuSplit(app);
    const steady = await redeemSteadily(target, agent, customerIds, { warmUp: settings.warmUp, measured: settings.redeems }, () => (cpuBefore = cpuSplit(app)));
    const summary = summarize(steady.measured, steady.redeemsInWindow, settings, cpuBefore, cpuSplit(app));
    progress(
      provider,
      `${summary.redeemsPerSecond.toFixed(1)} redeems/s, p50 ${summary.latency.p50Ms.toFixed(1)} ms, p99 ${summary.latency.p99Ms.toFixed(1)} ms ` +
        `(p99 − ${settings.shopifyLatencyMs} ms = ${summary.p99OverShopifyMs.toFixed(1)} ms), ${summary.failures.length} not 200`,
    );
    for (const failure of summary.failures.slice(0, FAILURES_SHOWN)) console.error(`    customer ${failure.customerId}: ${failure.status ?? "no answer"} ${failure.detail}`);
    if (summary.failures.length > 0) printServerErrors(provider, app);

    progress(provider, `burst: every member redeems once, all ${settings.members} sent at the same instant…`);
    return { steady, summary, burstRun: await redeemAtOnce(target, "burst", customerIds, 1, agent) };
  });
  const { warmUp, measured } = steady;
  const burst = { redeems: burstRun.answers.length, non200: burstRun.answers.filter((answer) => answer.status !== 200).length, latency: summarizeLatencies(burstRun.answers.map((answer) => answer.latencyMs)) };

  // Points for half the race are left, unless a redeem above failed (and so spent nothing).
  const raceAffordable = await withDb(databaseUrl, async (db) => {
    const members = await db.member.findMany({ where: { shopDomain: BENCH_SHOP }, select: { balance: true } });
    return members.reduce((sum, member) => sum + Math.min(settings.race, Math.floor(Number(member.balance) / REWARD_COST)), 0);
  });
  progress(provider, `race: ${settings.race} redeems per member at once, points for ${settings.race / 2}…`);
  const race = await redeemAtOnce(target, "race", customerIds, settings.race);

  const all = [warmUp, measured, burstRun, race].flatMap((run) => run.answers);
  const answered200 = all.filter((answer) => answer.status === 200).map((answer) => ({ customerId: answer.customerId, code: answer.code }));
  const shopify = await standIn.state(BENCH_SHOP);
  const check = await withDb(databaseUrl, (db) =>
    checkRedemptions(db, { shop: BENCH_SHOP, customerIds, earnedPerMember, rewardCost: REWARD_COST, answered200, shopify }),
  );
  progress(provider, check.ok ? "checks ok" : `checks FAILED: ${check.problems.join("; ")}`);
  const raceIssued = race.answers.filter((answer) => answer.status === 200).length;
  const raceRefused = race.answers.filter((answer) => answer.status === 409 && answer.code === "not_enough_points").length;
  return {
    database: provider,
    baseline,
    warmUp: { redeems: warmUp.answers.length, non200: warmUp.answers.filter((answer) => answer.status !== 200).length },
    measured: summary,
    burst,
    race: {
      sent: race.answers.length,
      issued: raceIssued,
      refused409: raceRefused,
      other: race.answers.length - raceIssued - raceRefused,
      expectedIssued: raceAffordable,
    },
    check,
    shopifyCalls: shopify.calls,
  };
}

async function earn(baseUrl: string, orderId: number, customerId: number, points: number): Promise<void> {
  const payload = orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ title: "Points for the bench", price: `${points}.00` }] });
  const response = await fetch(signedWebhookRequest(baseUrl, webhookUri("orders/paid"), "orders/paid", payload, { shop: BENCH_SHOP, secret: BENCH_API_SECRET }));
  if (response.status !== 200) throw new Error(`orders/paid for customer ${customerId} answered ${response.status}: ${await response.text()}`);
}

async function defaultRewardId(baseUrl: string): Promise<number> {
  const query = signedProxyQuery(storefrontProxyPrefix(), { shop: BENCH_SHOP, customerId: null, secret: BENCH_API_SECRET });
  const body = (await (await fetch(`${baseUrl}${proxyPath("program")}?${query}`)).json()) as { program: { rewards: { id: number; costPoints: number; kind: string }[] } };
  const reward = body.program.rewards.find((candidate) => candidate.costPoints === REWARD_COST && candidate.kind === "fixed_amount");
  if (!reward) throw new Error(`the shop has no ${REWARD_COST}-point reward: ${JSON.stringify(body.program.rewards)}`);
  return reward.id;
}

/**
 * CPU of the whole server, and of its primary (which, with workers, does nothing but the stand-in);
 * of PostgreSQL's processes, of this process (the shoppers' side), and of the machine.
 */
function cpuSplit(app: RunningApp) {
  return {
    total: processCpuMs(app.process.pid),
    primary: app.process.pid === undefined ? null : singleProcessCpuMs(app.process.pid),
    postgres: commandCpuMs("postgres"),
    client: ownCpuMs(),
    machine: machineCpu(),
  };
}

/** `inWindow`: the redeems started in the measured run's window (warm-ups still running included), for redeems/s and CPU. */
function summarize(run: RedeemRun, inWindow: number, settings: Settings, before: ReturnType<typeof cpuSplit>, after: ReturnType<typeof cpuSplit>): RunSummary {
  const latency = summarizeLatencies(run.answers.map((answer) => answer.latencyMs));
  const statuses: Record<string, number> = {};
  for (const answer of run.answers) statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
  const count = run.answers.length;
  const total = before.total === null || after.total === null ? null : after.total - before.total;
  const primary = before.primary === null || after.primary === null ? null : after.primary - before.primary;
  const split = settings.workers > 1 && total !== null && primary !== null;
  const postgres = before.postgres === null || after.postgres === null ? null : after.postgres - before.postgres;
  const p99OverShopifyMs = latency.p99Ms - settings.shopifyLatencyMs;
  return {
    redeems: count,
    wallMs: run.wallMs,
    redeemsPerSecond: perSecond(inWindow, run.wallMs),
    latency,
    p99OverShopifyMs,
    meetsGoal: p99OverShopifyMs <= GOAL_OVER_SHOPIFY_MS,
    serverCpuMsPerRedeem: total === null ? null : (split ? total - primary! : total) / inWindow,
    standInCpuMsPerRedeem: split ? primary! / inWindow : null,
    postgresCpuMsPerRedeem: postgres === null ? null : postgres / inWindow,
    clientCpuMsPerRedeem: (after.client - before.client) / inWindow,
    machine: machineShare(before.machine, after.machine),
    statuses,
    failures: run.answers.filter((answer) => answer.status !== 200).map(({ customerId, status, detail }) => ({ customerId, status, detail })),
    steps: stepSummaries(run.answers.filter((answer) => answer.status === 200)),
  };
}

function stepSummaries(answers: RedeemRun["answers"]): StepSummary[] {
  const timed = answers.filter((answer) => ISSUED_STEPS.every((step) => step in answer.steps));
  if (timed.length === 0) return [];
  const slowest = new Set([...timed].sort((a, b) => b.latencyMs - a.latencyMs).slice(0, Math.ceil(timed.length / 100)));
  const summary = (step: string, valueOf: (answer: RedeemRun["answers"][number]) => number) => {
    const latency = summarizeLatencies(timed.map(valueOf));
    const slowestValues = [...slowest].map(valueOf);
    return { step, meanMs: latency.meanMs, p50Ms: latency.p50Ms, p99Ms: latency.p99Ms, slowestMeanMs: slowestValues.reduce((sum, value) => sum + value, 0) / slowestValues.length };
  };
  return [
    ...ISSUED_STEPS.map((step) => summary(step, (answer) => answer.steps[step])),
    summary(OUTSIDE_STEP, (answer) => answer.latencyMs - ISSUED_STEPS.reduce((sum, step) => sum + answer.steps[step], 0)),
  ];
}

/** The server's own account of what failed: its error lines, and its whole log in bench/results/. */
function printServerErrors(provider: Provider, app: RunningApp): void {
  const log = app.output();
  const lines = log.split("\n").filter((line) => /"level":(50|60)\b|Error|error:/.test(line) && !line.includes("/INFO]"));
  progress(provider, lines.length === 0 ? "the server logged no error" : `the server logged ${lines.length} error line(s), e.g.:`);
  for (const line of lines.slice(0, FAILURES_SHOWN)) console.error(`    ${line.slice(0, 600)}`);
  const file = path.join(PROJECT_ROOT, "bench/results", `redeem-${new Date().toISOString().replace(/[:.]/g, "-")}-${provider}-server.log`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, log);
  progress(provider, `server log: ${path.relative(process.cwd(), file)}`);
}

async function stopApp(app: RunningApp): Promise<void> {
  const killer = setTimeout(() => app.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
  try {
    await app.stop();
  } finally {
    clearTimeout(killer);
  }
}

function progress(provider: Provider, message: string): void {
  console.log(`[${provider}] ${message}`);
}

function printReport(results: readonly DatabaseResult[], environment: Record<string, string>, settings: Settings): void {
  console.log();
  for (const [key, value] of Object.entries(environment)) console.log(`${key.padEnd(12)} ${value}`);
  console.log(`goal         p99 within ${GOAL_OVER_SHOPIFY_MS} ms of Shopify's ${settings.shopifyLatencyMs} ms; 0 double spends`);
  console.log();
  console.log(`Baseline, Shopify alone (the stand-in answering discountCodeBasicCreate directly, ${settings.members} in flight):`);
  for (const { database, baseline } of results) {
    console.log(
      `  ${database.padEnd(10)} p50 ${baseline.latency.p50Ms.toFixed(1)} ms   p99 ${baseline.latency.p99Ms.toFixed(1)} ms   ` +
        `(${baseline.calls} calls${baseline.failures ? `, ${baseline.failures} FAILED` : ""})`,
    );
  }
  console.log();
  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "n/a");
  const perRedeem = (value: number | null) => (value === null ? "n/a" : value.toFixed(2));
  const header = ["database", "redeems", "redeems/s", "p50 ms", "p99 ms", `p99 − ${settings.shopifyLatencyMs} ms`, "p99 − baseline p99", "server CPU ms/redeem", "stand-in CPU ms/redeem", "not 200", "goal"];
  const rows = results.map(({ database, measured, baseline }) => [
    database,
    String(measured.redeems),
    measured.redeemsPerSecond.toFixed(1),
    ms(measured.latency.p50Ms),
    ms(measured.latency.p99Ms),
    ms(measured.p99OverShopifyMs),
    ms(measured.latency.p99Ms - baseline.latency.p99Ms),
    perRedeem(measured.serverCpuMsPerRedeem),
    perRedeem(measured.standInCpuMsPerRedeem),
    String(measured.failures.length),
    measured.meetsGoal ? "✓ within" : `✗ +${ms(measured.p99OverShopifyMs - GOAL_OVER_SHOPIFY_MS)} ms over`,
  ]);
  console.log(formatTable(header, rows, ["left", "right", "right", "right", "right", "right", "right", "right", "right", "right", "left"]));
  console.log();
  // The server shares two cores with everything else here; what the others take is the room it has left.
  const percent = (value: number | undefined) => (value === undefined ? "n/a" : `${value.toFixed(0)}%`);
  console.log(`CPU over the measured window, ms per redeem, and the machine's ${cpus().length} CPUs busy and stolen by the hypervisor:`);
  console.log(
    formatTable(
      ["database", "server", "stand-in", "PostgreSQL", "shoppers (this bench)", "machine busy", "stolen"],
      results.map(({ database, measured }) => [
        database,
        perRedeem(measured.serverCpuMsPerRedeem),
        perRedeem(measured.standInCpuMsPerRedeem),
        perRedeem(measured.postgresCpuMsPerRedeem),
        perRedeem(measured.clientCpuMsPerRedeem),
        percent(measured.machine?.busyPercent),
        percent(measured.machine?.stealPercent),
      ]),
      ["left", "right", "right", "right", "right", "right", "right"],
    ),
  );
  console.log();
  const stepRows = results.flatMap(({ database, measured }) =>
    measured.steps.map((step) => [database, step.step, ms(step.meanMs), ms(step.p50Ms), ms(step.p99Ms), ms(step.slowestMeanMs)]),
  );
  if (stepRows.length > 0) {
    console.log("Where a redeem's time goes (Server-Timing: take = the points taken, shopify = the Admin API call, mark = marked issued,");
    console.log("answer = the answer built; outside = the rest: HTTP in and out, the signature, the body, the client;");
    console.log("slowest 1% = the step's mean over the slowest 1% of the redeems, those that set the p99):");
    console.log(formatTable(["database", "step", "mean ms", "p50 ms", "p99 ms", "slowest 1% mean ms"], stepRows, ["left", "left", "right", "right", "right", "right"]));
    console.log();
  }
  for (const { database, burst } of results) {
    console.log(
      `burst        ${database.padEnd(10)} ${burst.redeems} redeems sent at the same instant: p50 ${ms(burst.latency.p50Ms)} ms, slowest ${ms(burst.latency.maxMs)} ms` +
        `${burst.non200 ? `, ${burst.non200} not 200 ✗` : ""}`,
    );
  }
  for (const { database, race, warmUp } of results) {
    const raceOk = race.issued === race.expectedIssued && race.other === 0;
    console.log(
      `race         ${database.padEnd(10)} ${race.sent} redeems at once, points for ${race.expectedIssued}: ${race.issued} issued, ${race.refused409} refused 409 not_enough_points` +
        `${race.other ? `, ${race.other} other` : ""} ${raceOk ? "✓" : "✗"}`,
    );
    if (warmUp.non200 > 0) console.log(`warm-up      ${database.padEnd(10)} ${warmUp.non200} of ${warmUp.redeems} redeems not answered 200`);
  }
  for (const { database, shopifyCalls } of results) {
    const background = `${shopifyCalls.SetMetafields ?? 0} storefront syncs (SetMetafields), ${shopifyCalls.FlowTriggerReceive ?? 0} Flow triggers`;
    console.log(`background   ${database.padEnd(10)} ${background} sent to the stand-in during the run`);
  }
  for (const { database, check } of results) {
    const verdict = check.ok
      ? `ok: 0 double spends; ${check.issuedRedemptions} issued redemptions = ${check.answered200} answers 200 = ${check.codesHeldByShopify} codes in Shopify; ` +
        `points spent ${check.pointsSpent} = Σ rewards ${check.pointsOfIssuedRewards}; ${check.membersChecked} balances = Σ ledger, never below 0`
      : `FAILED: ${check.problems.join("; ")}`;
    console.log(`checks       ${database.padEnd(10)} ${verdict}`);
  }
}

async function main(): Promise<number> {
  const settings = readSettings();
  const startedAt = new Date();
  const loadAtStart = loadavg();
  ensureProductionBuild();

  const results: DatabaseResult[] = [];
  for (const provider of settings.databases) results.push(await benchDatabase(provider, settings));

  const environment = {
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown"}`,
    "load avg": `${loadAverage(loadAtStart)} at start, ${loadAverage(loadavg())} at end (1/5/15 min; other processes compete for the CPUs)`,
    redeems: `${settings.members} members × ${settings.redeems} measured (+ ${settings.warmUp} warm-up, + a race of ${settings.race} at once), ${settings.members} in flight`,
    shopify: `Admin API stand-in in the server's primary process, answering after ${settings.shopifyLatencyMs} ms`,
    server: `node server.js, ${settings.workers} worker${settings.workers === 1 ? "" : "s"} (WEB_CONCURRENCY)`,
  };
  printReport(results, environment, settings);
  const file = writeResultsJson({ startedAt: startedAt.toISOString(), environment, settings, results }, startedAt, "redeem");
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);

  const failed = results.filter(
    (result) => !result.check.ok || result.measured.failures.length > 0 || result.warmUp.non200 > 0 || result.burst.non200 > 0 || result.race.issued !== result.race.expectedIssued || result.race.other > 0,
  );
  return failed.length === 0 ? 0 : 1;
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
