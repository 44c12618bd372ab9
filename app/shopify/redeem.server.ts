// POST /apps/tally/redeem: spend points on a reward. The points are taken and the redemption
// recorded (pending) in one transaction; then Shopify is asked for the code or the store credit.
//   issued   → 200 with the code (or the credit) and the member
//   refused  → the points come back in a compensating ledger row; 502 (Shopify said no) or 503
//              (Shopify could not be reached, or the shop has no session)
//   unknown  → a code is looked up at once; what is still unknown stays pending, 202, and the
//              settle job finishes it (redemption-jobs.server.ts): never both a code and the
//              points back, never neither.
import { z } from "zod";
import db from "~/db.server";
import { sql } from "~/sql.server";
import { logger } from "~/logger.server";
import { countRedeem } from "~/observability/metrics.server";
import { StepTimes } from "~/observability/step-times";
import {
  failRedemption,
  isRedeemRefusal,
  markIssued,
  markOutcomeUnknown,
  redemptionView,
  type RedemptionRow,
  type StartedRedemption,
  startRedemption,
} from "~/loyalty/redemptions.server";
import type { ShopifyId } from "~/loyalty/shopify-id";
import { keepIssuedRedemption, memberView, STOREFRONT_API_VERSION } from "~/loyalty/storefront.server";
import { runtimeEnv } from "~/runtime-env.server";
import { adminGraphqlFor } from "./admin-client.server";
import { requestSettlement } from "./redemption-jobs.server";
import { authenticateProxyQuery } from "./app-proxy.server";
import { errorAnswer, jsonAnswer, type PlainAnswer } from "./responses";
import { jsonBodyOf, MAX_JSON_BODY_BYTES } from "./request-body.server";
import { issueRedemption, issueRequestFor, settleRedemption, type IssueOutcome } from "./reward-issuer.server";
import { requestFlowTriggers } from "./flow-triggers.server";
import { requestSummarySync } from "./summary-sync-request.server";

// The range before .int(): a huge number is refused with these bounds, not zod's safe-integer one.
export const redeemBody = z.object({
  rewardId: z.number().min(1).max(2_147_483_647).int(),
  points: z.number().min(1).max(100_000_000).int().optional(),
});

export type RedeemBody = z.infer<typeof redeemBody>;

/** How long a pending redemption waits before the settle job looks it up. */
const FIRST_SETTLE_DELAY_MS = 30_000;

/**
 * POST /apps/tally/redeem as a plain answer, given the signed query and a way to read the body
 * (null: over the cap): server.js serves the exact path with it, writing the answer to the socket
 * (no Request, Headers or Response objects, as for the storefront's reads), and the Remix route
 * (app/routes/proxy.redeem.tsx) with the Request's body. The signature is checked before the body
 * is read.
 */
export async function redeemRequest(search: string, path: string, readBody: (maxBytes: number) => Promise<string | null>): Promise<PlainAnswer> {
  const { caller, refusal } = authenticateProxyQuery(search, path);
  if (refusal) return refusal;
  if (caller.customerId === null) return errorAnswer(400, "not_signed_in", "Sign in to redeem rewards.");
  const body = jsonBodyOf(await readBody(MAX_JSON_BODY_BYTES), redeemBody);
  if (!body.ok) return body.answer;
  return redeemReward(caller.shop, caller.customerId, body.value);
}

export async function redeemReward(shop: string, customerId: ShopifyId, body: RedeemBody): Promise<PlainAnswer> {
  const steps = runtimeEnv.serverTiming ? new StepTimes() : null;
  const answer = await redeem(shop, customerId, body, steps);
  if (!steps) return answer;
  steps.end("answer");
  return { ...answer, headers: { ...answer.headers, "server-timing": steps.header() } };
}

async function redeem(shop: string, customerId: ShopifyId, body: RedeemBody, steps: StepTimes | null): Promise<PlainAnswer> {
  const started = await startRedemption(db, sql(), { shopDomain: shop, customerId, rewardId: body.rewardId, points: body.points, actor: `customer:${customerId}` });
  steps?.end("take");
  if (isRedeemRefusal(started)) {
    countRedeem(started.code);
    const headers = started.retryAfterSeconds ? { "retry-after": String(started.retryAfterSeconds) } : undefined;
    return errorAnswer(started.status, started.code, started.message, headers);
  }
  const log = logger.child({ shop, redemption: started.redemption.id });
  const request = issueRequestFor(started.redemption, started.customerId, started.reward);

  const graphql = await adminGraphqlFor(shop);
  let outcome: IssueOutcome;
  if (!graphql) {
    outcome = { kind: "refused", reason: "the shop has no Admin API session (not installed through OAuth)", unavailable: true };
  } else {
    outcome = await issueRedemption(graphql, request, AbortSignal.timeout(runtimeEnv.shopifyCallTimeoutMs));
    // A lost answer for a code is looked up at once: the code is known, so this is safe.
    if (outcome.kind === "unknown" && started.reward.kind !== "store_credit") {
      log.warn({ reason: outcome.reason }, "Shopify's answer to a code was lost; looking it up");
      outcome = await settleRedemption(graphql, request, async () => new Set(), AbortSignal.timeout(runtimeEnv.shopifyCallTimeoutMs));
    }
  }

  steps?.end("shopify");
  countRedeem(outcome.kind);
  switch (outcome.kind) {
    case "issued": {
      const summaryVersion = await markIssued(sql(), { ...started.redemption, customerId: started.customerId }, { shopifyDiscountId: outcome.shopifyDiscountId, storeCreditTransactionId: outcome.storeCreditTransactionId });
      steps?.end("mark");
      requestSummarySync(shop);
      requestFlowTriggers(shop);
      if (summaryVersion !== null) keepIssuedRedemption(started.member.id, started.member.summaryVersion, summaryVersion, started.redemption);
      const issued = summaryVersion === null ? started : { ...started, member: { ...started.member, summaryVersion } };
      return answer(shop, issued, 200, { ...started.redemption, status: "issued" });
    }
    case "refused": {
      log.warn({ reason: outcome.reason }, "Shopify did not issue the reward; the points are returned");
      await failRedemption(db, started.redemption.id, "app:redeem", outcome.reason);
      steps?.end("return");
      requestSummarySync(shop);
      return outcome.unavailable
        ? errorAnswer(503, "shopify_unavailable", "Shopify could not be reached to issue this reward. Your points are back; please try again later.", {
            "retry-after": "30",
          })
        : errorAnswer(502, "shopify_failed", "Shopify could not issue this reward. Your points are back.");
    }
    case "unknown": {
      log.warn({ reason: outcome.reason }, "Shopify's answer was lost; the redemption is settled in the background");
      const retryAt = new Date(Date.now() + FIRST_SETTLE_DELAY_MS);
      await markOutcomeUnknown(db, started.redemption.id, outcome.reason, retryAt);
      await requestSettlement(db, shop, retryAt.getTime());
      steps?.end("pending");
      requestSummarySync(shop);
      return answer(shop, started, 202, started.redemption);
    }
  }
}

/** The answer, with the member as the redemption left them (read from the transaction, not again). */
async function answer(shop: string, started: StartedRedemption, status: 200 | 202, redemption: RedemptionRow): Promise<PlainAnswer> {
  const member = await memberView(sql(), started.shop, started.member);
  return jsonAnswer(status, { version: STOREFRONT_API_VERSION, redemption: redemptionView(redemption), member }, { "cache-control": "private, no-store" });
}
