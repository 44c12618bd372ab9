import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { markUninstalled } from "~/loyalty/shops.server";
import { forgetAdminClient } from "~/shopify/admin-client.server";
import { appUninstalledPayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(
    request,
    "app/uninstalled",
    appUninstalledPayload,
    async ({ shop }) => {
      await markUninstalled(db, shop);
      forgetAdminClient(shop);
    },
    { bodyShop: (payload) => payload.shop },
  );

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
