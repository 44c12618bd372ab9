// The referral sweep: a reversal runs after the order's ledger commit (app/shopify/order-webhooks.server.ts);
// should the process die in between, Shopify will not deliver the event again, so every few
// minutes credited referrals whose order is void are reversed here (idempotent, keyed).
import { referralsToReverse, reverseReferralOfVoidedOrder } from "~/loyalty/referrals.server";
import type { JobHandler } from "./runner.server";

export const REFERRAL_SWEEP = { key: "referral-sweep", name: "referral-sweep", everyMs: 5 * 60_000 } as const;

export const referralJobs: Record<string, JobHandler> = {
  [REFERRAL_SWEEP.name]: async ({ db, keepLease }) => {
    for (const { shopDomain, orderId } of await referralsToReverse(db)) {
      await keepLease();
      await reverseReferralOfVoidedOrder(db, shopDomain, orderId, "job:referral-sweep");
    }
  },
};
