// Birthday bonuses, every hour: each shop's day begins at its own midnight, and a run missed
// (a restart, an outage) is made up by the next one the same day. Idempotent (one ledger key per
// member and year).
import { grantBirthdayBonuses, shopsWithBirthdayBonus } from "~/loyalty/birthdays.server";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import type { JobHandler } from "./runner.server";

export const BIRTHDAY_BONUSES = { key: "birthday-bonuses", name: "birthday-bonuses", everyMs: 3_600_000 } as const;

export const birthdayJobs: Record<string, JobHandler> = {
  [BIRTHDAY_BONUSES.name]: async ({ db, keepLease }) => {
    for (const shop of await shopsWithBirthdayBonus(db)) {
      await keepLease();
      if ((await grantBirthdayBonuses(db, shop)) > 0) requestSummarySync(shop);
    }
  },
};
