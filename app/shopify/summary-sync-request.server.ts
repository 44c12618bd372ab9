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

/**
 * Whether the shop has an offline session (an install through OAuth), remembered for a minute:
 * without one nothing can be written, and a shop that only ever sent webhooks (or a benchmark's)
 * would otherwise cost a job every SUMMARY_SYNC_DELAY_MS. The sweep still finds its members
 * once it installs, and the install itself asks at once (forgetSessionState).
 */
const sessionState = new Map<string, { installed: boolean; until: number }>();
const SESSION_STATE_MS = 60_000;

export async function shopHasSession(shop: string): Promise<boolean> {
  const known = sessionState.get(shop);
  if (known && known.until > Date.now()) return known.installed;
  const installed = (await db.session.count({ where: { shop, isOnline: false } })) > 0;
  sessionState.set(shop, { installed, until: Date.now() + SESSION_STATE_MS });
  return installed;
}

/** The shop just installed (or uninstalled): look its session up again. */
export function forgetSessionState(shop: string): void {
  sessionState.delete(shop);
}

/** After a balance or program change: the shop's storefront metafields are written soon. */
export function requestSummarySync(shop: string): void {
  const delay = runtimeEnv.summarySyncDelayMs;
  if (delay === null || gathering.has(shop)) return;
  gathering.add(shop);
  setTimeout(() => {
    gathering.delete(shop);
    shopHasSession(shop)
      .then((installed) => (installed ? requestJob(db, customerSummariesJob(shop)) : undefined))
      .catch((error: unknown) =>
        // The sweep (every minute) finds the shop's pending members anyway.
        logger.warn({ err: error, shop }, "could not request the storefront sync; the sweep will"),
      );
  }, delay).unref();
}
