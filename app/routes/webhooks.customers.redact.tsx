import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { redactCustomer } from "~/loyalty/privacy.server";
import { customerRedactPayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "customers/redact", customerRedactPayload, ({ shop, payload }) => redactCustomer(db, shop, payload), {
    bodyShop: (payload) => payload.shop,
  });

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
