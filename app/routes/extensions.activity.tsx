import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import db from "~/db.server";
import { ACTIVITY_PAGE_SIZE, MAX_ACTIVITY_PAGE_SIZE, memberActivity } from "~/loyalty/member-activity.server";
import { withExtensionCaller } from "~/shopify/extension-auth.server";
import { errorResponse, jsonResponse } from "~/shopify/responses";

const pageQuery = z.object({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
  limit: z.coerce.number().int().min(1).max(MAX_ACTIVITY_PAGE_SIZE).default(ACTIVITY_PAGE_SIZE),
});

// GET /extensions/activity?before=<entry id>&limit=<1-50>: the signed-in customer's points
// history, newest first (the customer-account Rewards page).
export const loader = ({ request }: LoaderFunctionArgs) =>
  withExtensionCaller(request, async ({ shop, customerId }) => {
    if (customerId === null) return errorResponse(400, "not_signed_in", "Sign in to see your points history.");
    const params = new URL(request.url).searchParams;
    if (params.getAll("before").length > 1 || params.getAll("limit").length > 1) return errorResponse(400, "invalid_query", "Give `before` and `limit` once each.");
    const query = pageQuery.safeParse({ before: params.get("before") || undefined, limit: params.get("limit") || undefined });
    if (!query.success) return errorResponse(400, "invalid_query", `\`before\` is an entry id and \`limit\` a whole number from 1 to ${MAX_ACTIVITY_PAGE_SIZE}.`);
    return jsonResponse({ version: 1, ...(await memberActivity(db, shop, customerId, query.data)) }, { headers: { "Cache-Control": "private, no-store" } });
  });

export const action = ({ request }: ActionFunctionArgs) =>
  withExtensionCaller(request, async () => errorResponse(405, "method_not_allowed", "This endpoint answers GET only.", { Allow: "GET, HEAD" }));
