import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { jobRunner } from "~/jobs/background.server";
import { requestShopRedaction, shopRedactionJob } from "~/jobs/privacy-jobs.server";
import { shopRedactPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

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
      const running = jobRunner()
        .runIfFree(shopRedactionJob(shop).key)
        .catch(() => "failed"); // the runner records failures on the job, which is retried
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, ANSWER_WITHIN_MS).unref())]);
    },
    { bodyShop: (payload) => payload.shop },
  );
