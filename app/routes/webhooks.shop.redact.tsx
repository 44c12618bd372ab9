import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { jobRunner } from "~/jobs/background.server";
import { requestShopRedaction, shopRedactionJob } from "~/jobs/privacy-jobs.server";
import { shopRedactPayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

/** How long the answer waits for the deletion; Shopify gives up on an answer after 5 s. */
const ANSWER_WITHIN_MS = 2_000;

// The deletion is recorded as a durable job first, then run here at once: most shops are gone
// before the answer; a large one goes on after it (in chunks, app/jobs/privacy-jobs.server.ts),
// and if this process dies midway, another takes the job over. Only for the shop the signed
// body names.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "shop/redact",
    shopRedactPayload,
    async ({ shop }) => {
      if (!(await requestShopRedaction(db, shop))) return;
      await redactedWithin(shopRedactionJob(shop).key, Date.now() + ANSWER_WITHIN_MS);
    },
    { bodyShop: (payload) => payload.shop },
  );

/** Runs the job here, or waits for the process that took it (this one's runner, woken by the request), until the deadline. */
async function redactedWithin(key: string, deadline: number): Promise<void> {
  // The runner records a failure on the job, which is retried; the answer does not depend on it.
  const running = jobRunner().runIfFree(key).catch(() => "busy" as const);
  const timeLeft = () => new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
  if ((await Promise.race([running, timeLeft()])) !== "busy") return;
  while (Date.now() < deadline && (await db.job.count({ where: { key } })) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
