import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { scopesUpdatePayload } from "~/shopify/payloads";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "app/scopes_update", scopesUpdatePayload, ({ shop, payload }) =>
    db.session.updateMany({ where: { shop }, data: { scope: payload.current.join(",") } }),
  );

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
