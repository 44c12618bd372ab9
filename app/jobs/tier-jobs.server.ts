// VIP tier jobs:
//   tier-recalc:<shop>  re-reads the tier each order of the flagged members earns under and
//                       corrects the multipliers that differ (app/loyalty/tier-recalc.server.ts);
//   tier-sweep          every 5 minutes, asks for it for shops with flagged members (a request
//                       lost with a process is made up); once a day it also flags the members
//                       holding a tier in shops whose tiers have periods, so that a tier that
//                       ended with its period is dropped (downgrades only at the period's end).
import type { Db } from "~/db.server";
import { logger } from "~/logger.server";
import { parseProgram } from "~/loyalty/program";
import { membersAwaitingTierRecalc, recalculateTiersOfMembers, shopsAwaitingTierRecalc } from "~/loyalty/tier-recalc.server";
import { requestSettlement } from "~/shopify/redemption-jobs.server";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import { requestJob } from "./job-store.server";
import type { JobHandler } from "./runner.server";

export const TIER_RECALC_JOB = "tier-recalc";
export const TIER_SWEEP = { key: "tier-sweep", name: "tier-sweep", everyMs: 5 * 60_000 } as const;
export const TIER_PERIOD_REFRESH = { key: "tier-period-refresh", name: "tier-period-refresh", everyMs: 24 * 3_600_000 } as const;
const BATCH = 200;

export function requestTierRecalc(db: Db, shop: string): Promise<void> {
  return requestJob(db, { key: `${TIER_RECALC_JOB}:${shop}`, name: TIER_RECALC_JOB, shopDomain: shop });
}

const gathering = new Set<string>();

/** After an order delivery in a shop with tiers: the recalculation runs soon (requests gathered for 250 ms). */
export function requestTierRecalcSoon(db: Db, shop: string): void {
  if (gathering.has(shop)) return;
  gathering.add(shop);
  setTimeout(() => {
    gathering.delete(shop);
    requestTierRecalc(db, shop).catch((error: unknown) => logger.warn({ err: error, shop }, "could not request the tier recalculation; the sweep will"));
  }, 250).unref();
}

export const tierJobs: Record<string, JobHandler> = {
  [TIER_RECALC_JOB]: async ({ db, job, keepLease }) => {
    if (!job.shopDomain) return;
    const members = await membersAwaitingTierRecalc(db, job.shopDomain, BATCH);
    const result = await recalculateTiersOfMembers(db, job.shopDomain, members, new Date(), keepLease);
    if (result.corrected > 0 || result.shownChanged) requestSummarySync(job.shopDomain);
    // Entry rewards are issued like a redeem whose answer was lost; the redemption sweep makes up
    // a request lost with this process.
    if (result.perkRewardsQueued > 0) await requestSettlement(db, job.shopDomain);
    if (members.length === BATCH) return { runAgainInMs: 0 };
    // Members a delivery changed while they were read are flagged again: soon, as a delivery would ask.
    if (result.stale > 0) return { runAgainInMs: 250 };
  },
  [TIER_SWEEP.name]: async ({ db }) => {
    for (const shop of await shopsAwaitingTierRecalc(db)) await requestTierRecalc(db, shop);
  },
  [TIER_PERIOD_REFRESH.name]: async ({ db }) => {
    const shops = await db.shop.findMany({ where: { uninstalledAt: null, tiers: { some: {} } }, select: { domain: true, program: true } });
    for (const shop of shops) {
      if (parseProgram(shop.program).tiers.period === "lifetime") continue;
      const flagged = await db.member.updateMany({ where: { shopDomain: shop.domain, tierId: { not: null } }, data: { tierPending: true } });
      if (flagged.count > 0) await requestTierRecalc(db, shop.domain);
    }
  },
};
