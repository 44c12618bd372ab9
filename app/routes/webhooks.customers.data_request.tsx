import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { recordDataRequest } from "~/loyalty/privacy.server";
import { customerDataRequestPayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "customers/data_request", customerDataRequestPayload, ({ shop, payload }) => recordDataRequest(db, shop, payload), {
    bodyShop: (payload) => payload.shop,
  });

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
