// shop/redact runs as a job: the webhook records the request durably and answers at once (Shopify
// waits 5 s for an answer; a large shop takes longer to delete), and the job deletes the shop in
// short chunks (privacy.server.ts redactShop), renewing its lease between them. Killed midway,
// the job is taken over by another process and deletes what is left.
import { redactShop } from "~/loyalty/privacy.server";
import { forgetShopJobs, type JobRequest } from "./job-store.server";
import type { JobHandler } from "./runner.server";

export const SHOP_REDACTION_JOB = "shop-redaction";

export function shopRedactionJob(shop: string): JobRequest {
  return { key: `${SHOP_REDACTION_JOB}:${shop}`, name: SHOP_REDACTION_JOB, shopDomain: shop };
}

export const privacyJobs: Record<string, JobHandler> = {
  [SHOP_REDACTION_JOB]: async ({ db, job, keepLease }) => {
    if (!job.shopDomain) return;
    await redactShop(db, job.shopDomain, { beforeChunk: keepLease });
    await forgetShopJobs(db, job.shopDomain, job.key);
  },
};
