import type { ActionFunctionArgs } from "@remix-run/node";
import { withExtensionCaller } from "~/shopify/extension-auth.server";
import { redeemBody, redeemReward } from "~/shopify/redeem.server";
import { readJsonBody } from "~/shopify/request-body.server";
import { errorResponse, responseOf } from "~/shopify/responses";

// POST /extensions/redeem: as POST /apps/tally/redeem, from the customer-account and checkout extensions.
export const action = ({ request }: ActionFunctionArgs) =>
  withExtensionCaller(request, async ({ shop, customerId }) => {
    if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
    if (customerId === null) return errorResponse(400, "not_signed_in", "Sign in to redeem rewards.");
    const body = await readJsonBody(request, redeemBody);
    if (!body.ok) return body.response;
    return responseOf(await redeemReward(shop, customerId, body.value));
  });

export const loader = ({ request }: ActionFunctionArgs) =>
  withExtensionCaller(request, async () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" }));
