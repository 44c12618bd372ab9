import type { ActionFunctionArgs } from "@remix-run/node";
import { creditOrder } from "~/shopify/order-webhooks.server";
import { orderPayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

// Order edits: orders/edited carries only deltas without prices, orders/updated the whole order.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "orders/updated",
    orderPayload,
    ({ shop, topic, eventId, payload }) => creditOrder(shop, "updated", payload, topic, eventId),
    { workRecordsEvent: true },
  );

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
