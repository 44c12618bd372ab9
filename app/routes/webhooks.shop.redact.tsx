import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { requestJob } from "~/jobs/job-store.server";
import { shopRedactionJob } from "~/jobs/privacy-jobs.server";
import { shopRedactPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

// The request is recorded durably and answered at once; the shop-redaction job deletes the shop
// in short chunks (app/jobs/privacy-jobs.server.ts).
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "shop/redact", shopRedactPayload, ({ shop }) => requestJob(db, shopRedactionJob(shop)));
