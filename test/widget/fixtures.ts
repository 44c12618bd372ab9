// Program and member data shaped as the app serves them (app/loyalty/storefront.server.ts) and as
// the summary metafield carries them (widget/contract.ts), for render tests.
import type { CustomerSummary, ProgramReward, PublicProgram, Redemption } from "../../widget/contract";
import type { StorefrontShop } from "../../dev/simulator/storefront/objects";

export const SILVER = { id: 1, name: "Silver", thresholdPoints: 100, multiplierPercent: 100 };
export const GOLD = { id: 2, name: "Gold", thresholdPoints: 500, multiplierPercent: 150 };

/** A reward as the public program lists it since redemption (contract version 1, issue 8). */
export const FIVE_OFF: ProgramReward = {
  id: 11,
  title: "5.00 off your order",
  kind: "fixed_amount",
  costPoints: 500,
  amountMinor: 500,
  amount: "5.00",
  percentage: null,
  minimumSubtotal: null,
  variable: null,
  tierId: null,
};

/** 100 points per 1.00, from 200 to 1,000 points in steps of 100, on orders of 20.00 or more. */
export const POINTS_FOR_CASH: ProgramReward = {
  id: 12,
  title: "Points for cash",
  kind: "variable",
  costPoints: 100,
  amountMinor: 100,
  amount: "1.00",
  percentage: null,
  minimumSubtotal: "20.00",
  variable: { minPoints: 200, maxPoints: 1000, stepPoints: 100 },
  tierId: null,
};

/** The default program of a fresh install (DESIGN §4), with two tiers added. */
export const PROGRAM: PublicProgram = {
  name: "Rewards",
  currency: "USD",
  earning: { points: 1, perMajorUnits: 1 },
  waysToEarn: [{ kind: "order", points: 1, perMajorUnits: 1 }],
  rewards: [FIVE_OFF],
  tiers: [SILVER, GOLD],
  pendingDays: 0,
  expiryDays: null,
  enabled: true,
};

export const SHOP: StorefrontShop = { domain: "tally-test.myshopify.com", name: "Tally Test Goods", currency: "USD", program: PROGRAM };

export const REFERRAL_URL = "https://tally-test.myshopify.com/?ref=K7QX2MZP";

/** 150 lifetime points: Silver, 350 to Gold. */
export const SILVER_MEMBER: CustomerSummary = {
  version: 7,
  balance: 120,
  pendingBalance: 0,
  lifetimeEarned: 150,
  tier: { name: "Silver" },
  nextTier: { name: "Gold", thresholdPoints: 500 },
  progress: { basis: "points", current: 150, target: 500, remaining: 350, percent: 30, remainingAmount: null },
  referralUrl: REFERRAL_URL,
  redemptions: [],
  referrals: { referred: 0, converted: 0, pointsEarned: 0 },
  birthday: null,
  updatedAt: "2026-11-20T10:00:00.000Z",
};

/** Top tier: no next tier, no progress. */
export const GOLD_MEMBER: CustomerSummary = {
  ...SILVER_MEMBER,
  balance: 640,
  lifetimeEarned: 900,
  tier: { name: "Gold" },
  nextTier: null,
  progress: null,
};

/** A refund took back points already spent. */
export const NEGATIVE_MEMBER: CustomerSummary = {
  ...SILVER_MEMBER,
  balance: -40,
  lifetimeEarned: 60,
  tier: null,
  nextTier: { name: "Silver", thresholdPoints: 100 },
  progress: { basis: "points", current: 60, target: 100, remaining: 40, percent: 60, remainingAmount: null },
};

export const PENDING_MEMBER: CustomerSummary = { ...SILVER_MEMBER, pendingBalance: 25 };

export const XSS = `<img src=x onerror="alert(1)">`;

/** An issued discount code, as POST /redeem answers it and member.redemptions lists it. */
export const CODE_REDEMPTION: Redemption = {
  id: 901,
  rewardId: 11,
  kind: "fixed_amount",
  title: "5.00 off your order",
  status: "issued",
  code: "TALLY-5OFF-K7Q2",
  amount: "5.00",
  percentage: null,
  currency: "USD",
  pointsSpent: 500,
  expiresAt: "2027-02-28T00:00:00.000Z",
  createdAt: "2026-11-30T10:00:00.000Z",
};

export const STORE_CREDIT_REDEMPTION: Redemption = {
  ...CODE_REDEMPTION,
  id: 902,
  rewardId: 13,
  kind: "store_credit",
  title: "Store credit",
  code: null,
  amount: "10.00",
  pointsSpent: 1000,
  expiresAt: null,
};
