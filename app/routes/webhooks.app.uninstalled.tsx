import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { markUninstalled } from "~/loyalty/shops.server";
import { anyObjectPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "app/uninstalled", anyObjectPayload, ({ shop }) => markUninstalled(db, shop));
