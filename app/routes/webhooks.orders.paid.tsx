import type { ActionFunctionArgs } from "@remix-run/node";
import { creditOrderDelivery } from "~/shopify/order-webhooks.server";
import { orderPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "orders/paid",
    orderPayload,
    ({ shop, topic, eventId, payload }) => creditOrderDelivery(shop, { kind: "paid", ...payload }, topic, eventId),
    { workRecordsEvent: true },
  );
