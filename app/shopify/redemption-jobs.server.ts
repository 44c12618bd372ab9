// Background work on redemptions, through the job runner (one process per shop at a time):
//   redemption-settle:<shop>  pending redemptions whose answer from Shopify was lost are looked
//                             up (and issued again if Shopify does not hold them), with backoff;
//   code-expiry:<shop>        codes past their expiry: a code Shopify counts as used is marked
//                             used, an unused one gives its points back (program setting);
//   redemption-sweep          every minute, asks for both for the shops that need them.
import type { Db } from "~/db.server";
import { requestJob } from "~/jobs/job-store.server";
import type { JobHandler } from "~/jobs/runner.server";
import { logger } from "~/logger.server";
import { parseProgram } from "~/loyalty/program";
import {
  claimSettlement,
  expireCode,
  expiredCodes,
  failRedemption,
  markIssued,
  markOutcomeUnknown,
  markUsedByUnknownOrder,
  redemptionsToSettle,
  shopsWithExpiredCodes,
  shopsWithRedemptionsToSettle,
} from "~/loyalty/redemptions.server";
import { runtimeEnv } from "~/runtime-env.server";
import { sql } from "~/sql.server";
import { adminGraphqlFor } from "./admin-client.server";
import { AdminRequestError } from "./admin-request.server";
import { codeUsage, issueRequestFor, settleRedemption } from "./reward-issuer.server";
import { requestSummarySync } from "./summary-sync-request.server";

export const REDEMPTION_SETTLE_JOB = "redemption-settle";
export const CODE_EXPIRY_JOB = "code-expiry";
export const REDEMPTION_SWEEP = { key: "redemption-sweep", name: "redemption-sweep", everyMs: 60_000 } as const;

/** An order begun before a code expired may be paid a little later: wait this long past expiry. */
export const EXPIRY_GRACE_MS = 3_600_000;
/**
 * Attempts after which a redemption Shopify keeps refusing to look at (no session, token
 * revoked, Shopify down) stops being retried, when the last answer was a definite "not done":
 * the points come back. One whose outcome is still unknown then stays pending for a person.
 */
export const MAX_SETTLE_ATTEMPTS = 12;

/** Wait before the n-th settle attempt: 1, 2, 4 … minutes, at most 6 hours. */
export function settleDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3_600_000);
}

export function requestSettlement(db: Db, shop: string, runAt = Date.now()): Promise<void> {
  return requestJob(db, { key: `${REDEMPTION_SETTLE_JOB}:${shop}`, name: REDEMPTION_SETTLE_JOB, shopDomain: shop, runAt });
}

export function requestCodeExpiry(db: Db, shop: string): Promise<void> {
  return requestJob(db, { key: `${CODE_EXPIRY_JOB}:${shop}`, name: CODE_EXPIRY_JOB, shopDomain: shop });
}

/** Credit transactions that other redemptions of the shop already hold. */
function claimedCreditsOf(db: Db, shop: string) {
  return async (ids: string[]) => {
    if (ids.length === 0) return new Set<string>();
    const rows = await db.redemption.findMany({ where: { shopDomain: shop, storeCreditTransactionId: { in: ids } }, select: { storeCreditTransactionId: true } });
    return new Set(rows.map((row) => row.storeCreditTransactionId!));
  };
}

export interface SettleRun {
  issued: number;
  failed: number;
  stillUnknown: number;
}

/** Settles what is due for the shop; returns when the job should run again (null: nothing left). */
export async function settleShopRedemptions(db: Db, shop: string, keepLease?: () => Promise<void>): Promise<SettleRun & { runAgainInMs: number | null }> {
  const run: SettleRun = { issued: 0, failed: 0, stillUnknown: 0 };
  const graphql = await adminGraphqlFor(shop);
  const due = await redemptionsToSettle(db, shop, new Date());
  for (const redemption of due) {
    await keepLease?.();
    const now = new Date();
    if (!(await claimSettlement(db, redemption.id, now))) continue;
    const log = logger.child({ shop, redemption: redemption.id, attempt: redemption.attempts + 1 });
    const outcome = graphql
      ? await settleRedemption(graphql, issueRequestFor(redemption, redemption.member.customerId), claimedCreditsOf(db, shop), AbortSignal.timeout(runtimeEnv.shopifyCallTimeoutMs))
      : ({ kind: "refused", reason: "the shop has no Admin API session", unavailable: true } as const);
    if (outcome.kind === "issued") {
      await markIssued(sql(), { ...redemption, customerId: redemption.member.customerId }, { shopifyDiscountId: outcome.shopifyDiscountId, storeCreditTransactionId: outcome.storeCreditTransactionId });
      log.info("settled: Shopify holds the reward");
      run.issued++;
    } else if (outcome.kind === "refused" && (!outcome.unavailable || redemption.attempts + 1 >= MAX_SETTLE_ATTEMPTS)) {
      await failRedemption(db, redemption.id, "job:redemption-settle", outcome.reason);
      log.warn({ reason: outcome.reason }, "settled: Shopify did not issue the reward; the points are returned");
      run.failed++;
    } else {
      const retryAt = new Date(now.getTime() + settleDelayMs(redemption.attempts + 1));
      await markOutcomeUnknown(db, redemption.id, outcome.reason, retryAt);
      if (redemption.attempts + 1 >= MAX_SETTLE_ATTEMPTS) log.error({ reason: outcome.reason }, "a redemption is still unsettled; it needs a look");
      else log.warn({ reason: outcome.reason, retryAt }, "not settled yet; will look again");
      run.stillUnknown++;
    }
  }
  if (run.issued + run.failed > 0) requestSummarySync(shop);
  const more = due.length > 0 && (await redemptionsToSettle(db, shop, new Date(), 1)).length > 0;
  return { ...run, runAgainInMs: more ? 0 : null };
}

export interface ExpiryRun {
  expired: number;
  used: number;
}

/** Codes of the shop past expiry (and the grace period): used ones marked, unused ones expired. */
export async function expireShopCodes(db: Db, shop: string, now = new Date()): Promise<ExpiryRun & { runAgainInMs: number | null }> {
  const run: ExpiryRun = { expired: 0, used: 0 };
  const graphql = await adminGraphqlFor(shop);
  // Without Shopify we cannot tell an unused code from one used by an order we have not heard
  // of: wait for the session (the sweep asks again).
  if (!graphql) return { ...run, runAgainInMs: null };
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { program: true } });
  if (!shopRow) return { ...run, runAgainInMs: null };
  const returnPoints = parseProgram(shopRow.program).redemption.returnPointsForExpiredCodes;
  const codes = await expiredCodes(db, shop, new Date(now.getTime() - EXPIRY_GRACE_MS));
  for (const redemption of codes) {
    const usage = await codeUsage(graphql, redemption.code!);
    if (usage.used) {
      if (await markUsedByUnknownOrder(db, redemption.id, "job:code-expiry")) run.used++;
    } else if (await expireCode(db, redemption.id, returnPoints, "job:code-expiry")) run.expired++;
  }
  if (run.expired + run.used > 0) requestSummarySync(shop);
  return { ...run, runAgainInMs: codes.length === 50 ? 0 : null };
}

function rescheduleOnShopify(error: unknown): { runAgainInMs: number } {
  if (error instanceof AdminRequestError && error.kind === "throttled") return { runAgainInMs: error.retryAfterMs ?? 1000 };
  throw error;
}

export const redemptionJobs: Record<string, JobHandler> = {
  [REDEMPTION_SETTLE_JOB]: async ({ db, job, keepLease }) => {
    if (!job.shopDomain) return;
    const { runAgainInMs } = await settleShopRedemptions(db, job.shopDomain, keepLease);
    if (runAgainInMs !== null) return { runAgainInMs };
    // Not due yet: run when the next one is.
    const next = await db.redemption.findFirst({
      where: { shopDomain: job.shopDomain, status: "pending", settleAfter: { not: null } },
      orderBy: { settleAfter: "asc" },
      select: { settleAfter: true },
    });
    if (next?.settleAfter) return { runAgainInMs: Math.max(0, Number(next.settleAfter) - Date.now()) };
  },
  [CODE_EXPIRY_JOB]: async ({ db, job }) => {
    if (!job.shopDomain) return;
    try {
      const { runAgainInMs } = await expireShopCodes(db, job.shopDomain);
      if (runAgainInMs !== null) return { runAgainInMs };
    } catch (error) {
      return rescheduleOnShopify(error);
    }
  },
  [REDEMPTION_SWEEP.name]: async ({ db }) => {
    const now = new Date();
    for (const shop of await shopsWithRedemptionsToSettle(db, now)) await requestSettlement(db, shop);
    for (const shop of await shopsWithExpiredCodes(db, new Date(now.getTime() - EXPIRY_GRACE_MS))) await requestCodeExpiry(db, shop);
  },
};
