import type { ActionFunctionArgs } from "@remix-run/node";
import { creditOrderDelivery } from "~/shopify/order-webhooks.server";
import { refundPayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "refunds/create",
    refundPayload,
    ({ shop, topic, eventId, payload }) => creditOrderDelivery(shop, { kind: "refund", ...payload }, topic, eventId),
    { workRecordsEvent: true },
  );

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
