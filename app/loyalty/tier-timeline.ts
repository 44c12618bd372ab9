// Which VIP tier an order earns under, defined on Shopify's timestamps alone so that the answer
// does not depend on the order webhooks arrive in:
//
//   An order earns under the tier its member holds at the order's processed_at. A member holds
//   the highest tier whose threshold their qualifying activity reached during the current period
//   (upgrades at once; refunds lower the activity but never the tier held, until the period
//   ends), and, in a calendar year, the tier reached in the year before.
//
// Qualifying activity: each order's base points (the earning rate without any multiplier) or,
// with an amount basis, its eligible amount in minor units, counted from its processed_at;
// each refund lowers it from the refund's created_at, a cancellation takes the rest from its
// cancelled_at. An order does not count toward its own tier. Periods:
//   lifetime          one period: a tier once reached is kept;
//   calendar_year     orders count in the year they were placed (in the shop's time zone);
//                     the tier held is the best of this year's and last year's;
//   rolling_12_months orders placed in the 365 days before the instant count (an order ages
//                     out a year after it was placed; a refund lowers the sum, not the tier).
import { dayIn } from "./birthdays";

export type TierPeriod = "lifetime" | "calendar_year" | "rolling_12_months";

export interface TierThreshold {
  id: number;
  /** In activity units: points, or minor units of the shop currency for an amount basis. */
  threshold: number;
}

/** One order's qualifying activity over time. */
export interface ActivityOrder {
  orderId: bigint;
  processedAt: number;
  /** Activity when placed, then its value after each later change (refunds, cancellation) at `at`. */
  activity: number;
  changes: readonly { at: number; activity: number }[];
}

const YEAR_MS = 365 * 86_400_000;

interface Event {
  at: number;
  orderId: bigint;
  seq: number;
  delta: number;
  order: ActivityOrder;
}

function compareKeys(a: { at: number; orderId: bigint; seq: number }, b: { at: number; orderId: bigint; seq: number }): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.orderId !== b.orderId) return a.orderId < b.orderId ? -1 : 1;
  return a.seq - b.seq;
}

/** A placement as the timeline orders them: processed_at, then the order id (Shopify's ids grow with time). */
export interface Placement {
  at: number;
  /** Null: unknown (a placement recorded by its time alone): an order of that instant may be earlier. */
  orderId: bigint | null;
}

/** Whether an order placed at `order` comes after `counted` in the timeline (never when they are equal). */
export function placedAfter(order: { at: number; orderId: bigint }, counted: Placement): boolean {
  if (order.at !== counted.at) return order.at > counted.at;
  return counted.orderId !== null && order.orderId > counted.orderId;
}

/** The latest placement of `orders` as the timeline orders them; at 0, order 0 when there are none. */
export function lastPlacement(orders: readonly ActivityOrder[]): { at: number; orderId: bigint } {
  let last = { at: 0, orderId: 0n };
  for (const order of orders) {
    if (placedAfter({ at: order.processedAt, orderId: order.orderId }, last)) last = { at: order.processedAt, orderId: order.orderId };
  }
  return last;
}

function eventsOf(orders: readonly ActivityOrder[]): Event[] {
  const events: Event[] = [];
  for (const order of orders) {
    events.push({ at: order.processedAt, orderId: order.orderId, seq: 0, delta: order.activity, order });
    let previous = order.activity;
    const changes = [...order.changes].sort((a, b) => a.at - b.at);
    changes.forEach((change, index) => {
      events.push({ at: Math.max(change.at, order.processedAt), orderId: order.orderId, seq: index + 1, delta: change.activity - previous, order });
      previous = change.activity;
    });
  }
  return events.sort(compareKeys);
}

/** The highest tier `activity` reaches (thresholds in activity units), or null. */
export function tierReached(activity: number, tiers: readonly TierThreshold[]): TierThreshold | null {
  let best: TierThreshold | null = null;
  for (const tier of tiers) if (activity >= tier.threshold && (best === null || tier.threshold > best.threshold)) best = tier;
  return best;
}

function better(a: TierThreshold | null, b: TierThreshold | null): TierThreshold | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.threshold > a.threshold ? b : a;
}

export interface TierTimelineOptions {
  period: TierPeriod;
  /** The shop's IANA time zone, for calendar years; UTC when null. */
  timeZone: string | null;
}

/**
 * The tier held just before `instant` (an order's placement key, or now): everything strictly
 * earlier counts. `instant.orderId`/`seq` break ties between events at the same millisecond.
 */
export function tierHeldAt(
  orders: readonly ActivityOrder[],
  tiers: readonly TierThreshold[],
  options: TierTimelineOptions,
  instant: { at: number; orderId: bigint; seq: number },
): TierThreshold | null {
  const events = eventsOf(orders).filter((event) => compareKeys(event, instant) < 0);
  switch (options.period) {
    case "lifetime": {
      let sum = 0;
      let peak = 0;
      for (const event of events) {
        sum += event.delta;
        peak = Math.max(peak, sum);
      }
      return tierReached(peak, tiers);
    }
    case "calendar_year": {
      const yearOf = (at: number) => dayIn(new Date(at), options.timeZone).year;
      const year = yearOf(instant.at);
      // This year's peak: this year's orders, their changes so far. Last year's: over that year.
      const peakIn = (target: number, until: (event: Event) => boolean) => {
        let sum = 0;
        let peak = 0;
        for (const event of events) {
          if (yearOf(event.order.processedAt) !== target || !until(event)) continue;
          sum += event.delta;
          peak = Math.max(peak, sum);
        }
        return peak;
      };
      const thisYear = peakIn(year, () => true);
      const lastYear = peakIn(year - 1, (event) => yearOf(event.at) === year - 1);
      return better(tierReached(thisYear, tiers), tierReached(lastYear, tiers));
    }
    case "rolling_12_months": {
      // Orders placed in the 365 days before the instant; refunds lower their sum, not its peak.
      let sum = 0;
      let peak = 0;
      for (const event of events) {
        if (event.order.processedAt <= instant.at - YEAR_MS) continue;
        sum += event.delta;
        peak = Math.max(peak, sum);
      }
      return tierReached(peak, tiers);
    }
  }
}

/**
 * Each order's tier: the one held at its placement, against the thresholds in force then
 * (`tiers` as a function of the instant when they are versioned).
 */
export function tiersOfOrders(
  orders: readonly ActivityOrder[],
  tiers: readonly TierThreshold[] | ((atMs: number) => readonly TierThreshold[]),
  options: TierTimelineOptions,
): Map<bigint, TierThreshold | null> {
  const result = new Map<bigint, TierThreshold | null>();
  for (const order of orders) {
    const thresholds = typeof tiers === "function" ? tiers(order.processedAt) : tiers;
    result.set(order.orderId, tierHeldAt(orders, thresholds, options, { at: order.processedAt, orderId: order.orderId, seq: 0 }));
  }
  return result;
}

/**
 * The activity that counts toward the next tier now (refunds lowered it): the current period's
 * sum (for a calendar year, this year's orders; rolling, the last 365 days'), never below 0.
 */
export function currentActivity(orders: readonly ActivityOrder[], options: TierTimelineOptions, now: number): number {
  const year = options.period === "calendar_year" ? dayIn(new Date(now), options.timeZone).year : null;
  let sum = 0;
  for (const event of eventsOf(orders)) {
    if (event.at > now) continue;
    if (year !== null && dayIn(new Date(event.order.processedAt), options.timeZone).year !== year) continue;
    if (options.period === "rolling_12_months" && event.order.processedAt <= now - YEAR_MS) continue;
    sum += event.delta;
  }
  return Math.max(0, sum);
}
