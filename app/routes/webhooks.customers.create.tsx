import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { enrollCustomer } from "~/loyalty/members.server";
import { customerPayload } from "~/shopify/payloads";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "customers/create", customerPayload, async ({ shop, payload }) => {
    const { bonus } = await enrollCustomer(db, shop, payload.customerId, payload.profile);
    if (bonus > 0) requestSummarySync(shop);
  });
