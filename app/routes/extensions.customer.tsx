import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { sql } from "~/sql.server";
import { customerView, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { withExtensionCaller } from "~/shopify/extension-auth.server";
import { errorResponse, jsonResponse } from "~/shopify/responses";

// GET /extensions/customer: the same JSON as /apps/tally/customer, for the customer-account,
// thank-you and checkout extensions (member null when the token names no customer).
export const loader = ({ request }: LoaderFunctionArgs) =>
  withExtensionCaller(request, async ({ shop, customerId }) =>
    jsonResponse({ version: STOREFRONT_API_VERSION, ...(await customerView(db, sql(), shop, customerId)) }, { headers: { "Cache-Control": "private, no-store" } }),
  );

// OPTIONS (the CORS preflight) arrives here; anything else is refused.
export const action = ({ request }: ActionFunctionArgs) =>
  withExtensionCaller(request, async () => errorResponse(405, "method_not_allowed", "This endpoint answers GET only.", { Allow: "GET, HEAD" }));
