import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { grantNewsletterActions } from "~/loyalty/earning-actions.server";
import { enrollCustomer } from "~/loyalty/members.server";
import { isRedacted } from "~/loyalty/privacy.server";
import { customerPayload } from "~/shopify/payloads";
import { requestFlowTriggers } from "~/shopify/flow-triggers.server";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "customers/create", customerPayload, async ({ shop, payload }) => {
    // customers/redact erased them: nothing of them is stored again.
    if (await isRedacted(db, shop, payload.customerId)) return;
    const { bonus } = await enrollCustomer(db, shop, payload.customerId, payload.profile);
    // Already subscribed to the shop's emails when created: the newsletter action pays (once).
    const newsletter = payload.subscribedToEmail ? await grantNewsletterActions(db, shop, payload.customerId, payload.profile, "webhook:customers/create") : { credited: 0, claimed: 0 };
    if (bonus > 0 || newsletter.claimed > 0) requestSummarySync(shop);
    if (newsletter.credited > 0) requestFlowTriggers(shop);
  });

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
