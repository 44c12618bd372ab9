// Pending points become available (app/loyalty/pending-points.server.ts): every 10 minutes, the
// orders whose pending period is over, in batches, each released in its own transaction; then
// the referral points that waited with them (app/loyalty/referrals.server.ts).
// Idempotent: a released order is skipped, and a run cut short leaves the rest for the next.
import { dueReleases, releasePendingPoints } from "~/loyalty/pending-points.server";
import { dueReferralReleases, releaseReferralPoints } from "~/loyalty/referrals.server";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import type { JobHandler } from "./runner.server";

export const PENDING_RELEASE = { key: "pending-release", name: "pending-release", everyMs: 10 * 60_000 } as const;
const BATCH = 200;

export const pendingJobs: Record<string, JobHandler> = {
  [PENDING_RELEASE.name]: async ({ db, keepLease }) => {
    const now = new Date();
    for (;;) {
      const due = await dueReleases(db, now, BATCH);
      const shopsChanged = new Set<string>();
      for (const order of due) {
        if ((await releasePendingPoints(db, order, now)) !== 0) shopsChanged.add(order.shopDomain);
      }
      for (const shop of shopsChanged) requestSummarySync(shop);
      if (due.length < BATCH) break;
      await keepLease();
    }
    for (;;) {
      const due = await dueReferralReleases(db, now, BATCH);
      const shopsChanged = new Set<string>();
      for (const referral of due) {
        if (await releaseReferralPoints(db, referral, now)) shopsChanged.add(referral.shopDomain);
      }
      for (const shop of shopsChanged) requestSummarySync(shop);
      if (due.length < BATCH) return;
      await keepLease();
    }
  },
};
