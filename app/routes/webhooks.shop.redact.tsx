import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { requestShopRedaction } from "~/jobs/privacy-jobs.server";
import { shopRedactPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

// The request is recorded durably and answered at once; the shop-redaction job deletes the shop
// in short chunks (app/jobs/privacy-jobs.server.ts). Only for the shop the signed body names.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "shop/redact", shopRedactPayload, ({ shop }) => requestShopRedaction(db, shop), {
    bodyShop: (payload) => payload.shop,
  });
