import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { grantNewsletterActions } from "~/loyalty/earning-actions.server";
import { isRedacted } from "~/loyalty/privacy.server";
import { customerPayload } from "~/shopify/payloads";
import { requestFlowTriggers } from "~/shopify/flow-triggers.server";
import { requestSummarySync } from "~/shopify/summary-sync-request.server";
import { handleWebhook, webhookMethodNotAllowed } from "~/shopify/webhooks.server";

// A customer who subscribes to the shop's emails earns the newsletter action, once per member
// ever. Any other update changes nothing (it is the busiest customer topic). A customer Tally has
// not seen is enrolled, as customers/create would have, but only when there is something to pay.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, "customers/update", customerPayload, async ({ shop, payload }) => {
    // customers/redact erased them: nothing of them is stored again.
    if (!payload.subscribedToEmail || (await isRedacted(db, shop, payload.customerId))) return;
    const newsletter = await grantNewsletterActions(db, shop, payload.customerId, payload.profile, "webhook:customers/update");
    if (newsletter.claimed > 0) requestSummarySync(shop);
    if (newsletter.credited > 0) requestFlowTriggers(shop);
  });

// GET, HEAD and OPTIONS: Remix routes them to a loader.
export const loader = webhookMethodNotAllowed;
