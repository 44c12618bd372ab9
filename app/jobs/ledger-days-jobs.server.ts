// The ledger's day sums for the admin's Home (app/loyalty/ledger-days.server.ts): every hour,
// each shop's days that are over and not summed yet. Idempotent (a day summed again gets the same
// figures), and cheap when there is nothing new: one index read per shop.
import { sumLedgerDays } from "~/loyalty/ledger-days.server";
import { sql } from "~/sql.server";
import type { JobHandler } from "./runner.server";

export const LEDGER_DAYS = { key: "ledger-days", name: "ledger-days", everyMs: 3_600_000 } as const;

export const ledgerDaysJobs: Record<string, JobHandler> = {
  [LEDGER_DAYS.name]: async ({ db, keepLease }) => {
    const now = new Date();
    for (const { domain } of await db.shop.findMany({ select: { domain: true }, orderBy: { domain: "asc" } })) {
      await keepLease();
      await sumLedgerDays(sql(), domain, now);
    }
  },
};
