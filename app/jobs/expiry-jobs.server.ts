// Points expiry, every hour: each shop with an expiry period expires the balances of members
// inactive that long and records the 30- and 3-day reminders (app/loyalty/points-expiry.server.ts).
// Idempotent: keys tie each expiry and reminder to the member's last activity.
import { expireInactivePoints, recordExpiryReminders, shopsWithExpiry } from "~/loyalty/points-expiry.server";
import { requestFlowTriggers } from "~/shopify/flow-triggers.server";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import type { JobHandler } from "./runner.server";

export const POINTS_EXPIRY = { key: "points-expiry", name: "points-expiry", everyMs: 3_600_000 } as const;

export const expiryJobs: Record<string, JobHandler> = {
  [POINTS_EXPIRY.name]: async ({ db, keepLease }) => {
    for (const shop of await shopsWithExpiry(db)) {
      await keepLease();
      const reminded = await recordExpiryReminders(db, shop.domain, shop.expiryDays);
      const expired = await expireInactivePoints(db, shop.domain, shop.expiryDays, Date.now(), keepLease);
      if (expired > 0) requestSummarySync(shop.domain);
      if (reminded > 0) requestFlowTriggers(shop.domain);
    }
  },
};
