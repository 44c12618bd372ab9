import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { redactShop } from "~/loyalty/privacy.server";
import { shopRedactPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "shop/redact", shopRedactPayload, ({ shop }) => redactShop(db, shop), { bodyShop: (payload) => payload.shop });
