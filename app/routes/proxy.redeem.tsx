import type { ActionFunctionArgs } from "@remix-run/node";
import { withProxyCaller } from "~/shopify/app-proxy.server";
import { redeemBody, redeemReward } from "~/shopify/redeem.server";
import { errorResponse } from "~/shopify/responses";
import { readJsonBody } from "~/shopify/request-body.server";

// POST /apps/tally/redeem on the storefront: the signed-in shopper spends points on a reward.
export const action = ({ request }: ActionFunctionArgs) =>
  withProxyCaller(request, async ({ shop, customerId }) => {
    if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
    if (customerId === null) return errorResponse(400, "not_signed_in", "Sign in to redeem rewards.");
    const body = await readJsonBody(request, redeemBody);
    if (!body.ok) return body.response;
    return redeemReward(shop, customerId, body.value);
  });

export const loader = () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
