// The admin's Home, in plain terms: the periods it reports on, the chart's buckets, the setup
// checklist's steps, and the figures derived from the database's sums (app/loyalty/dashboard.server.ts).
import { z } from "zod";

export const DASHBOARD_PERIODS = ["7d", "30d", "90d", "12m"] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];
export const DEFAULT_PERIOD: DashboardPeriod = "30d";
export const periodSchema = z.enum(DASHBOARD_PERIODS);

export interface PeriodRange {
  period: DashboardPeriod;
  /** Start of the first bucket (UTC). */
  since: Date;
  bucket: "day" | "month";
  /** Bucket keys, oldest first: "2026-11-30" (day) or "2026-11" (month), as the queries group them. */
  buckets: string[];
}

const DAYS: Record<Exclude<DashboardPeriod, "12m">, number> = { "7d": 7, "30d": 30, "90d": 90 };

/** The period ending today (UTC days; the last 12 months are whole months, this one included). */
export function periodRange(period: DashboardPeriod, now: Date): PeriodRange {
  if (period === "12m") {
    const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
    const buckets = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth() + i, 1)).toISOString().slice(0, 7));
    return { period, since, bucket: "month", buckets };
  }
  const days = DAYS[period];
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const buckets = Array.from({ length: days }, (_, i) => new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10));
  return { period, since, bucket: "day", buckets };
}

/** Ledger kinds by what they do to the program's liability. */
const REDEEMED_KINDS = new Set(["redeem", "redeem_refund"]);
const EXPIRED_KINDS = new Set(["expiry"]);
/** Moves carry an order's points from one member to another: nothing is issued or taken. */
const NEUTRAL_KINDS = new Set(["order_move"]);

export interface KindSum {
  bucket: string;
  kind: string;
  points: number;
}

export interface PointsFlow {
  /** Earned, net of refunds, cancellations and edits, plus bonuses and manual adjustments. */
  issued: number;
  /** Spent on rewards, net of points returned for failed or expired codes. */
  redeemed: number;
  expired: number;
}

export function pointsFlow(sums: readonly KindSum[]): PointsFlow {
  const flow: PointsFlow = { issued: 0, redeemed: 0, expired: 0 };
  for (const { kind, points } of sums) {
    if (REDEEMED_KINDS.has(kind)) flow.redeemed -= points;
    else if (EXPIRED_KINDS.has(kind)) flow.expired -= points;
    else if (!NEUTRAL_KINDS.has(kind)) flow.issued += points;
  }
  return flow;
}

/** Points issued and redeemed per bucket, for the chart. */
export function pointsSeries(range: PeriodRange, sums: readonly KindSum[]): { bucket: string; issued: number; redeemed: number }[] {
  const byBucket = new Map(range.buckets.map((bucket) => [bucket, [] as KindSum[]]));
  for (const sum of sums) byBucket.get(sum.bucket)?.push(sum);
  return range.buckets.map((bucket) => {
    const flow = pointsFlow(byBucket.get(bucket) ?? []);
    return { bucket, issued: flow.issued, redeemed: flow.redeemed };
  });
}

/** Share in percent with one decimal, or null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}

export interface AmountReward {
  title: string;
  costPoints: number;
  amountMinor: number;
}

/**
 * What a point is worth in the shop's currency: the amount the cheapest reward that gives an
 * amount (off an order, or as store credit) gives per point. Percentage, free-shipping and
 * free-product rewards have no fixed amount and are left out. Null without such a reward.
 */
export function pointValue(rewards: readonly AmountReward[]): { minorPerPoint: number; reward: AmountReward } | null {
  const cheapest = [...rewards].filter((reward) => reward.costPoints > 0 && reward.amountMinor > 0).sort((a, b) => a.costPoints - b.costPoints)[0];
  return cheapest ? { minorPerPoint: cheapest.amountMinor / cheapest.costPoints, reward: cheapest } : null;
}

// ---- The setup checklist.

export const SETUP_STEPS = ["app_embed", "earning_rate", "reward"] as const;
export type SetupStepName = (typeof SETUP_STEPS)[number];
export const setupStepSchema = z.enum(SETUP_STEPS);

/** The theme app extension's app embed block (extensions/tally-widget/blocks/launcher.liquid). */
export const APP_EMBED_HANDLE = "launcher";

/**
 * The theme editor with Tally's app embed switched on, for the merchant to save: Shopify's
 * deep link for app embed blocks (`activateAppId=<API key>/<block handle>`).
 */
export function appEmbedDeepLink(shop: string, apiKey: string): string {
  return `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${APP_EMBED_HANDLE}`;
}
