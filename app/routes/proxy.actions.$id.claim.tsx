import type { ActionFunctionArgs } from "@remix-run/node";
import { withProxyCaller } from "~/shopify/app-proxy.server";
import { claimActionResponse } from "~/shopify/earning-action-claim.server";
import { errorResponse } from "~/shopify/responses";

// POST /apps/tally/actions/<id>/claim on the storefront: the signed-in shopper claims a custom action.
export const action = ({ request, params }: ActionFunctionArgs) =>
  withProxyCaller(request, async ({ shop, customerId }) => {
    if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
    return claimActionResponse(shop, customerId, params.id);
  });

export const loader = () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
