import type { ActionFunctionArgs } from "@remix-run/node";
import { creditOrderDelivery } from "~/shopify/order-webhooks.server";
import { orderPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "orders/cancelled",
    orderPayload,
    ({ shop, topic, eventId, payload }) => creditOrderDelivery(shop, { kind: "cancelled", ...payload }, topic, eventId),
    { workRecordsEvent: true },
  );
