import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { enrollCustomer } from "~/loyalty/members.server";
import { customerPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "customers/create", customerPayload, ({ shop, payload }) =>
    enrollCustomer(db, shop, payload.customerId, payload.profile),
  );
