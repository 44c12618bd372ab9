// What an operator scrapes at GET /metrics (Prometheus text format, prom-client): webhooks by
// topic and outcome with their processing time, redeems by outcome, job runs, and the storefront
// sync backlog.
//
// server.js runs WEB_CONCURRENCY workers (node:cluster), each counting what it handles. The
// scrape lands on one worker, so that worker asks the primary, whose AggregatorRegistry asks
// every worker for its figures (prom-client's own IPC) and sums them: the answer counts every
// worker's webhooks, not only the one that served the scrape. Gauges read from the database are
// the same in every worker and aggregate by max instead. Without a cluster (one worker, the
// development server, tests), the process answers from its own registry.
import cluster from "node:cluster";
import { AggregatorRegistry, Counter, Gauge, Histogram, type RegistryContentType } from "prom-client";
import db from "~/db.server";

interface Metrics {
  registry: AggregatorRegistry<RegistryContentType>;
  webhooks: Counter<"topic" | "outcome">;
  webhookSeconds: Histogram<"topic">;
  redeems: Counter<"outcome">;
  jobRuns: Counter<"job" | "outcome">;
  jobSeconds: Histogram<"job">;
}

declare global {
  var tallyMetrics: Metrics | undefined;
}

function createMetrics(): Metrics {
  // An AggregatorRegistry in a worker also answers the primary's requests for its figures.
  const registry = new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    webhooks: new Counter({ name: "tally_webhooks_total", help: "Webhook deliveries answered, by topic and outcome.", labelNames: ["topic", "outcome"], registers }),
    webhookSeconds: new Histogram({
      name: "tally_webhook_duration_seconds",
      help: "Time from a webhook request reaching its route to its answer, by topic.",
      labelNames: ["topic"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    redeems: new Counter({ name: "tally_redeems_total", help: "Storefront redeems, by outcome (issued, refused, unknown, or the refusal's code).", labelNames: ["outcome"], registers }),
    jobRuns: new Counter({ name: "tally_job_runs_total", help: "Background job runs, by job and outcome (done, failed, lease_lost).", labelNames: ["job", "outcome"], registers }),
    jobSeconds: new Histogram({
      name: "tally_job_duration_seconds",
      help: "Background job run time, by job.",
      labelNames: ["job"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    }),
  };
  new Gauge({
    name: "tally_summary_sync_backlog",
    help: "Members whose balance has changed since Shopify last got their storefront summary (given-up ones excluded).",
    aggregator: "max",
    registers,
    async collect() {
      this.set(await count(`SELECT COUNT(*) AS n FROM "Member" WHERE "summaryVersion" > "summarySyncedVersion" AND ("summaryGaveUpVersion" IS NULL OR "summaryGaveUpVersion" < "summaryVersion")`));
    },
  });
  new Gauge({
    name: "tally_jobs_due",
    help: "Background jobs due now and not running.",
    aggregator: "max",
    registers,
    async collect() {
      const now = Date.now();
      this.set(await count(`SELECT COUNT(*) AS n FROM "Job" WHERE "runAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})`));
    },
  });
  return metrics;
}

async function count(statement: string): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ n: unknown }[]>(statement);
  return Number(rows[0]?.n ?? 0);
}

export function metrics(): Metrics {
  globalThis.tallyMetrics ??= createMetrics();
  return globalThis.tallyMetrics;
}

export function observeWebhook(topic: string, outcome: string, seconds: number): void {
  const { webhooks, webhookSeconds } = metrics();
  webhooks.inc({ topic, outcome });
  webhookSeconds.observe({ topic }, seconds);
}

export function countRedeem(outcome: string): void {
  metrics().redeems.inc({ outcome });
}

export function observeJobRun(job: string, outcome: "done" | "failed" | "lease_lost", seconds: number): void {
  const { jobRuns, jobSeconds } = metrics();
  jobRuns.inc({ job, outcome });
  jobSeconds.observe({ job }, seconds);
}

// ---------------------------------------------------------------------------------------------
// Across cluster workers.

const ASK = "tally:metrics-request";
const ANSWER = "tally:metrics-answer";
const ASK_TIMEOUT_MS = 5000;
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

let nextAsk = 0;
const waiting = new Map<number, (answer: Answer) => void>();
let listening = false;

/** The figures of every worker of this server, summed (or this process's, outside a cluster). */
export async function metricsText(): Promise<string> {
  if (!cluster.isWorker || !process.send) return metrics().registry.metrics();
  if (!listening) {
    listening = true;
    process.on("message", (message: Answer) => {
      if (message?.type === ANSWER) waiting.get(message.id)?.(message);
    });
  }
  metrics(); // this worker must be able to answer the primary too
  const id = nextAsk++;
  const answer = await new Promise<Answer>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error("the primary process did not answer with the cluster's metrics"));
    }, ASK_TIMEOUT_MS);
    waiting.set(id, (received) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(received);
    });
    process.send!({ type: ASK, id });
  });
  if (answer.error !== undefined || answer.text === undefined) throw new Error(answer.error ?? "no metrics");
  return answer.text;
}

/** In the primary (server.js): answers workers' requests with every worker's figures. */
export function serveClusterMetrics(): void {
  if (!cluster.isPrimary) return;
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== ASK) return;
    aggregator
      .clusterMetrics()
      .then((text) => worker.send({ type: ANSWER, id: message.id!, text } satisfies Answer))
      .catch((error: Error) => worker.send({ type: ANSWER, id: message.id!, error: error.message } satisfies Answer));
  });
}
