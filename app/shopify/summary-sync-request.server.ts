// Asking for a shop's storefront metafields to be written, without doing it: the order webhooks
// and the install hook call this after their commit, and the job runner does the writing
// (customer-summary-sync.server.ts), one process per shop at a time. Requests are gathered for
// SUMMARY_SYNC_DELAY_MS (default 250 ms) per shop and process, so that a burst of orders costs
// one job request, not one per order; the members' summaryVersion in the database is what says
// what is left to write, so nothing is lost if this process dies before it asks.
import db from "~/db.server";
import { requestJob, type JobRequest } from "~/jobs/job-store.server";
import { logger } from "~/logger.server";
import { runtimeEnv } from "~/runtime-env.server";

export const CUSTOMER_SUMMARIES_JOB = "customer-summaries";

export function customerSummariesJob(shop: string): JobRequest {
  return { key: `${CUSTOMER_SUMMARIES_JOB}:${shop}`, name: CUSTOMER_SUMMARIES_JOB, shopDomain: shop };
}

const gathering = new Set<string>();

/** After a balance or program change: the shop's storefront metafields are written soon. */
export function requestSummarySync(shop: string): void {
  const delay = runtimeEnv.summarySyncDelayMs;
  if (delay === null || gathering.has(shop)) return;
  gathering.add(shop);
  setTimeout(() => {
    gathering.delete(shop);
    requestJob(db, customerSummariesJob(shop)).catch((error: unknown) =>
      // The sweep (every minute) finds the shop's pending members anyway.
      logger.warn({ err: error, shop }, "could not request the storefront sync; the sweep will"),
    );
  }, delay).unref();
}
