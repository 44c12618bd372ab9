import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { redactCustomer } from "~/loyalty/privacy.server";
import { customerRedactPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "customers/redact", customerRedactPayload, ({ shop, payload }) => redactCustomer(db, shop, payload), {
    bodyShop: (payload) => payload.shop,
  });
