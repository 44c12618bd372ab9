// `npm run bench:redact`: shop/redact of a shop with BENCH_MEMBERS members (default 100,000, each
// with a ledger row and an order) while another shop's orders/paid deliveries stream at
// BENCH_CONCURRENCY (default 8) to the production server (2 workers), on each database.
// Reports the redaction's duration, every non-2xx answer during it (the target is none), and
// delivery latency during the redaction against a baseline run just before it, in the same
// process. Exit status 1 if any delivery failed or the ledger check failed.
import { summarizeLatencies, perSecond } from "./lib/stats";
import { redactUnderLoad, type RedactUnderLoadResult } from "./lib/redact-under-load";
import { ensureProductionBuild } from "./lib/build";
import type { Provider } from "../dev/simulator/databases";

const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer; got "${process.env[name]}"`);
  return value;
};
const members = positive("BENCH_MEMBERS", 100_000);
const concurrency = positive("BENCH_CONCURRENCY", 8);
const workers = positive("WEB_CONCURRENCY", 2);
const databases = (process.env.BENCH_DATABASES ?? "sqlite,postgres").split(",").map((name) => name.trim()) as Provider[];

ensureProductionBuild();
let failed = false;
for (const provider of databases) {
  console.log(`[${provider}] seeding ${members.toLocaleString("en")} members, then shop/redact under ${concurrency} deliveries in flight…`);
  const result = await redactUnderLoad({ provider, members, concurrency, workers, baselineOrders: 1_000, timeoutMs: 300_000 });
  print(result);
  failed ||= result.during.failures.length > 0 || result.baseline.failures.length > 0 || !result.ledgerOk || result.redactMs === null;
}
process.exit(failed ? 1 : 0);

function print(result: RedactUnderLoadResult) {
  const { provider } = result.settings;
  const row = (label: string, run: RedactUnderLoadResult["during"]) => {
    const latency = summarizeLatencies(run.latenciesMs);
    const non2xx = run.failures.length;
    return `  ${label.padEnd(18)} ${String(run.sent).padStart(6)} deliveries  ${perSecond(run.sent, run.wallMs).toFixed(0).padStart(5)}/s  p50 ${latency.p50Ms.toFixed(1)} ms  p99 ${latency.p99Ms.toFixed(1)} ms  max ${latency.maxMs.toFixed(0)} ms  non-2xx ${non2xx}`;
  };
  console.log(`[${provider}] shop/redact answered ${result.redactWebhookStatus} in ${result.redactWebhookMs.toFixed(0)} ms; shop gone after ${result.redactMs === null ? "TIMEOUT" : `${(result.redactMs / 1000).toFixed(2)} s`}`);
  console.log(row("baseline (before)", result.baseline));
  console.log(row("during redaction", result.during));
  const before = summarizeLatencies(result.baseline.latenciesMs);
  const during = summarizeLatencies(result.during.latenciesMs);
  console.log(`  ratio during/before: p99 ×${(during.p99Ms / before.p99Ms).toFixed(2)}, throughput ×${(perSecond(result.during.sent, result.during.wallMs) / perSecond(result.baseline.sent, result.baseline.wallMs)).toFixed(2)}`);
  console.log(`  ledger check: ${result.ledgerOk ? "ok" : `FAILED ${result.ledgerProblems.join("; ")}`}`);
  for (const failure of result.during.failures.slice(0, 5)) console.log(`  failure: order ${failure.orderId} → ${failure.status ?? "no answer"} ${failure.detail}`);
}
