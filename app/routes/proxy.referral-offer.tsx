import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { normaliseReferralCode } from "~/loyalty/referrals";
import { withProxyCaller } from "~/shopify/app-proxy.server";
import { claimFriendOfferResponse } from "~/shopify/friend-offer.server";
import { readJsonBody } from "~/shopify/request-body.server";
import { errorResponse } from "~/shopify/responses";

const offerBody = z.object({ code: z.string().max(64) });

// POST /apps/tally/referral-offer { code }: the friend claims the offer of the link they came with.
export const action = ({ request }: ActionFunctionArgs) =>
  withProxyCaller(request, async ({ shop, customerId }) => {
    if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
    const body = await readJsonBody(request, offerBody);
    if (!body.ok) return body.response;
    const code = normaliseReferralCode(body.value.code);
    if (code === null) return errorResponse(400, "invalid_body", "code: not a referral code.");
    return claimFriendOfferResponse(shop, customerId, code);
  });

export const loader = () => errorResponse(405, "method_not_allowed", "This endpoint answers POST only.", { Allow: "POST" });
