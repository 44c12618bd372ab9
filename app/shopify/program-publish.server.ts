// After a save in the admin: the storefront's program metafield is rewritten by the storefront
// sync job (the save cleared its hash, so the minute sweep would find it too), and a change of
// tiers asks for the recalculation of the members it flagged. Jobs are rows in the database:
// whichever worker or server runs them, they are not lost with this process.
import db from "~/db.server";
import { requestJob } from "~/jobs/job-store.server";
import { requestTierRecalc } from "~/jobs/tier-jobs.server";
import { forgetShop } from "~/loyalty/shop-cache.server";
import { customerSummariesJob } from "./summary-sync-request.server";

export async function publishProgramChange(shop: string, { tiersChanged }: { tiersChanged: boolean }): Promise<void> {
  // Other workers see the new programVersion on their next read; this one need not even look.
  forgetShop(shop);
  await requestJob(db, customerSummariesJob(shop));
  if (tiersChanged) await requestTierRecalc(db, shop);
}
