import type { ActionFunctionArgs } from "@remix-run/node";
import { creditOrder } from "~/shopify/order-webhooks.server";
import { orderPayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "orders/cancelled",
    orderPayload,
    ({ shop, topic, eventId, payload }) => creditOrder(shop, "cancelled", payload, topic, eventId),
    { workRecordsEvent: true },
  );

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
