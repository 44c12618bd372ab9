// A shop's loyalty program settings, stored as validated, versioned JSON on the shop.
import { z } from "zod";

export const earningRuleSchema = z.object({
  /** Points given for every `perMajorUnits` whole units of shop currency spent. */
  points: z.number().int().min(0).max(10_000),
  perMajorUnits: z.number().int().min(1).max(1_000_000),
});

export const redemptionSettingsSchema = z.object({
  /** A code that expires unused gives its points back. */
  returnPointsForExpiredCodes: z.boolean(),
  /** A code used on an order that is then cancelled in full gives its points back. */
  returnPointsForCancelledOrders: z.boolean(),
  /** Redemptions one customer may start in an hour (429 beyond it). */
  maxRedeemsPerHour: z.number().int().min(1).max(10_000),
});

export type RedemptionSettings = z.infer<typeof redemptionSettingsSchema>;

export const DEFAULT_REDEMPTION_SETTINGS: RedemptionSettings = {
  returnPointsForExpiredCodes: true,
  returnPointsForCancelledOrders: true,
  maxRedeemsPerHour: 10,
};

export const referralSettingsSchema = z.object({
  enabled: z.boolean(),
  /** Points the referrer earns when a referred new customer's first order is paid. */
  referrerPoints: z.number().int().min(0).max(1_000_000),
  /** The friend's offer: whole units of shop currency off a first order. */
  friendDiscountMajorUnits: z.number().int().min(0).max(100_000),
  /** Referrals one member may be credited for in 7 days (more are refused: weekly_cap). */
  weeklyCapPerReferrer: z.number().int().min(1).max(10_000),
});

export type ReferralSettings = z.infer<typeof referralSettingsSchema>;

/** On in a fresh install (DESIGN §4): 500 points per referred new customer; 5.00 off for the friend. */
export const DEFAULT_REFERRAL_SETTINGS: ReferralSettings = {
  enabled: true,
  referrerPoints: 500,
  friendDiscountMajorUnits: 5,
  weeklyCapPerReferrer: 10,
};

export const tierSettingsSchema = z.object({
  /** What a tier's threshold counts: base points earned (no multiplier), or whole units of currency spent. */
  basis: z.enum(["points", "amount"]),
  period: z.enum(["lifetime", "calendar_year", "rolling_12_months"]),
});

export type TierSettings = z.infer<typeof tierSettingsSchema>;

export const DEFAULT_TIER_SETTINGS: TierSettings = { basis: "points", period: "lifetime" };

export const programSchema = z.object({
  version: z.literal(1),
  name: z.string().min(1).max(80),
  earning: earningRuleSchema,
  /** Days before earned points become available; 0 = at once. */
  pendingDays: z.number().int().min(0).max(365),
  /** Days after which unused points expire; null = never. */
  expiryDays: z.number().int().min(1).max(3650).nullable(),
  redemption: redemptionSettingsSchema.default(DEFAULT_REDEMPTION_SETTINGS),
  referrals: referralSettingsSchema.default(DEFAULT_REFERRAL_SETTINGS),
  /** Points for joining (customers/create); 0 = off, the default. */
  signupPoints: z.number().int().min(0).max(1_000_000).default(0),
  tiers: tierSettingsSchema.default(DEFAULT_TIER_SETTINGS),
  /** Points on the member's birthday, once a year; 0 = off, the default. */
  birthdayPoints: z.number().int().min(0).max(1_000_000).default(0),
  /**
   * The program is running. Off: the widget hides, no points are earned (orders paid meanwhile
   * earn nothing, ever; no signup, birthday or referral points) and none are redeemed, while
   * balances are kept and refunds still take back what earlier orders earned.
   */
  enabled: z.boolean().default(true),
});

export type Program = z.infer<typeof programSchema>;
export type EarningRule = z.infer<typeof earningRuleSchema>;

/** What a fresh install does (DESIGN §4): part of the contract, tests rely on it. */
export const DEFAULT_PROGRAM: Program = {
  version: 1,
  name: "Rewards",
  earning: { points: 1, perMajorUnits: 1 },
  pendingDays: 0,
  expiryDays: null,
  redemption: DEFAULT_REDEMPTION_SETTINGS,
  referrals: DEFAULT_REFERRAL_SETTINGS,
  signupPoints: 0,
  birthdayPoints: 0,
  tiers: DEFAULT_TIER_SETTINGS,
  enabled: true,
};

export interface RewardDefinition {
  kind: "fixed_amount";
  costPoints: number;
  /** Whole units of shop currency off, turned into minor units for the shop's currency. */
  amountMajorUnits: number;
}

export const DEFAULT_REWARDS: readonly RewardDefinition[] = [{ kind: "fixed_amount", costPoints: 500, amountMajorUnits: 5 }];

/** "5.00 off your order" in a 2-decimal currency, "5 off your order" in yen. */
export function fixedAmountRewardTitle(amountMinor: number, exponent: number): string {
  return `${(amountMinor / 10 ** exponent).toFixed(exponent)} off your order`;
}

export function parseProgram(json: string): Program {
  return programSchema.parse(JSON.parse(json));
}
