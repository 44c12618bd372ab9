import type { ActionFunctionArgs } from "@remix-run/node";
import { withProxyCaller } from "~/shopify/app-proxy.server";
import { redeemRequest } from "~/shopify/redeem.server";
import { readCappedText } from "~/shopify/request-body.server";
import { errorResponse, responseOf } from "~/shopify/responses";

// POST /apps/tally/redeem on the storefront: the signed-in shopper spends points on a reward.
// (server.js serves this exact path without Remix, through app/shopify/storefront-writes.server.ts.)
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return withProxyCaller(request, async () => methodNotAllowed());
  const url = new URL(request.url);
  return responseOf(await redeemRequest(url.search, url.pathname, (maxBytes) => readCappedText(request, maxBytes)));
};

const methodNotAllowed = () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });

export const loader = () => methodNotAllowed();
