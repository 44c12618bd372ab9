import type { ActionFunctionArgs } from "@remix-run/node";
import { creditOrderDelivery } from "~/shopify/order-webhooks.server";
import { orderPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

// Order edits: orders/edited carries only deltas without prices, orders/updated the whole order.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "orders/updated",
    orderPayload,
    ({ shop, topic, eventId, payload }) => creditOrderDelivery(shop, { kind: "updated", ...payload }, topic, eventId),
    { workRecordsEvent: true },
  );
