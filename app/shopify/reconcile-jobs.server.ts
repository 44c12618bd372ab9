// The daily reconciliation of every installed shop, through the job runner:
//   reconcile:<shop>   reads the orders updated since the last finished run (an hour of overlap;
//                      the last 2 days on a first run) and repairs what the webhooks missed;
//   reconcile-sweep    hourly, asks for it for each installed shop whose last run is a day old.
// One process runs a shop's reconciliation at a time (the job's lease); should the CLI run at the
// same moment, both are safe (the ledger's merge is idempotent). A large window is read with a
// bulk operation whose id is on the run from the start: a job that died while Shopify ran it is
// resumed by the job's next run (its lease ran out), which then reads on from where it ended.
import type { Db } from "~/db.server";
import { requestJob } from "~/jobs/job-store.server";
import type { JobHandler } from "~/jobs/runner.server";
import { adminGraphqlFor } from "./admin-client.server";
import { AdminRequestError } from "./admin-request.server";
import { reconcileShop } from "./reconcile.server";

export const RECONCILE_JOB = "reconcile";
export const RECONCILE_SWEEP = { key: "reconcile-sweep", name: "reconcile-sweep", everyMs: 3_600_000 } as const;
export const RECONCILE_EVERY_MS = 24 * 3_600_000;
const OVERLAP_MS = 3_600_000;
const FIRST_WINDOW_MS = 48 * 3_600_000;
/** Without read_all_orders, Shopify serves only the last 60 days of orders. */
export const MAX_WINDOW_MS = 60 * 24 * 3_600_000;

/** Where the next run's window starts: the last finished run's end, less an hour. */
export async function nextWindowStart(db: Db, shop: string, now: Date): Promise<Date> {
  const last = await db.reconcileRun.findFirst({ where: { shopDomain: shop, status: "done" }, orderBy: { until: "desc" }, select: { until: true } });
  const start = last ? last.until.getTime() - OVERLAP_MS : now.getTime() - FIRST_WINDOW_MS;
  return new Date(Math.max(start, now.getTime() - MAX_WINDOW_MS));
}

export async function shopsDueForReconciliation(db: Db, now: Date): Promise<string[]> {
  const shops = await db.shop.findMany({
    where: { uninstalledAt: null, syncBlockedAt: null },
    select: { domain: true, reconcileRuns: { where: { status: "done" }, orderBy: { id: "desc" }, take: 1, select: { finishedAt: true } } },
  });
  return shops
    .filter((shop) => {
      const finished = shop.reconcileRuns[0]?.finishedAt;
      return !finished || finished.getTime() <= now.getTime() - RECONCILE_EVERY_MS;
    })
    .map((shop) => shop.domain);
}

export const reconcileJobs: Record<string, JobHandler> = {
  [RECONCILE_JOB]: async ({ db, job, keepLease }) => {
    if (!job.shopDomain) return;
    const graphql = await adminGraphqlFor(job.shopDomain);
    if (!graphql) return; // no offline session: nothing can be read
    const now = new Date();
    // A run of this job whose bulk operation was started by a process that died: carry on with
    // it (its window and its operation), rather than ask Shopify for the same orders again.
    const unfinished = await db.reconcileRun.findFirst({
      where: { shopDomain: job.shopDomain, trigger: "job", status: "running", bulkOperationId: { not: null } },
      orderBy: { id: "desc" },
    });
    try {
      if (unfinished?.bulkOperationId) {
        await reconcileShop(db, job.shopDomain, graphql, {
          since: unfinished.since,
          until: unfinished.until,
          trigger: "job",
          keepLease,
          resume: { runId: unfinished.id, bulkOperationId: unfinished.bulkOperationId },
        });
        return; // the next run's window starts where this one's ended
      }
      await reconcileShop(db, job.shopDomain, graphql, { since: await nextWindowStart(db, job.shopDomain, now), until: now, trigger: "job", keepLease });
    } catch (error) {
      // Throttled beyond what a run waits for: try again when the bucket has refilled.
      if (error instanceof AdminRequestError && error.kind === "throttled") return { runAgainInMs: error.retryAfterMs ?? 60_000 };
      throw error;
    }
  },
  [RECONCILE_SWEEP.name]: async ({ db }) => {
    for (const shop of await shopsDueForReconciliation(db, new Date())) {
      await requestJob(db, { key: `${RECONCILE_JOB}:${shop}`, name: RECONCILE_JOB, shopDomain: shop });
    }
  },
};
