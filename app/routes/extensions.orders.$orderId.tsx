import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { orderPointsView } from "~/loyalty/storefront.server";
import { withExtensionCaller } from "~/shopify/extension-auth.server";
import { errorResponse, jsonResponse } from "~/shopify/responses";

// GET /extensions/orders/<orderId>: the points an order earned (order status and thank-you
// pages), for the order's own customer only.
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  withExtensionCaller(request, async ({ shop, customerId }) => {
    const orderId = /^[1-9]\d{0,18}$/.test(params.orderId ?? "") ? BigInt(params.orderId!) : null;
    if (orderId === null || orderId > 9_223_372_036_854_775_807n) return errorResponse(400, "invalid_order", "The order id is not a Shopify order id.");
    const view = await orderPointsView(db, shop, orderId, customerId);
    if (view === "not_yours") return errorResponse(404, "not_found", "No such order for this customer.");
    return jsonResponse({ version: 1, order: view }, { headers: { "Cache-Control": "private, no-store" } });
  });

export const action = ({ request }: ActionFunctionArgs) =>
  withExtensionCaller(request, async () => errorResponse(405, "method_not_allowed", "This endpoint answers GET only.", { Allow: "GET, HEAD" }));
