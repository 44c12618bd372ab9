// shop/redact runs as a job: the webhook records the request durably and answers at once (Shopify
// waits 5 s for an answer; a large shop takes longer to delete), and the job deletes the shop in
// short chunks (privacy.server.ts redactShop), renewing its lease between them. Killed midway,
// the job is taken over by another process and deletes what is left.
import type { Db } from "~/db.server";
import { redactShop } from "~/loyalty/privacy.server";
import { forgetAdminClient } from "~/shopify/admin-client.server";
import { forgetShopJobs, requestJob, type JobRequest } from "./job-store.server";
import type { JobHandler } from "./runner.server";

export const SHOP_REDACTION_JOB = "shop-redaction";

export function shopRedactionJob(shop: string): JobRequest {
  return { key: `${SHOP_REDACTION_JOB}:${shop}`, name: SHOP_REDACTION_JOB, shopDomain: shop };
}

/** shop/redact: the shop's deletion is asked for, unless Tally holds nothing of the shop (false). */
export async function requestShopRedaction(db: Db, shop: string): Promise<boolean> {
  const [shops, sessions] = await Promise.all([db.shop.count({ where: { domain: shop } }), db.session.count({ where: { shop } })]);
  if (shops + sessions === 0) return false;
  await requestJob(db, shopRedactionJob(shop));
  return true;
}

export const privacyJobs: Record<string, JobHandler> = {
  [SHOP_REDACTION_JOB]: async ({ db, job, keepLease }) => {
    if (!job.shopDomain) return;
    await redactShop(db, job.shopDomain, { beforeChunk: keepLease });
    forgetAdminClient(job.shopDomain);
    await forgetShopJobs(db, job.shopDomain, job.key);
  },
};
