import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { markUninstalled } from "~/loyalty/shops.server";
import { appUninstalledPayload } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "app/uninstalled", appUninstalledPayload, ({ shop }) => markUninstalled(db, shop), {
    bodyShop: (payload) => payload.shop,
  });
