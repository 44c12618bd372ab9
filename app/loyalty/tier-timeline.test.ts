import { describe, expect, it } from "vitest";
import { tiersAsRecorded } from "./program-versions";
import { currentActivity, lastPlacement, placedAfter, tierHeldAt, tiersOfOrders, type ActivityOrder, type TierThreshold } from "./tier-timeline";

const SILVER: TierThreshold = { id: 1, threshold: 100 };
const GOLD: TierThreshold = { id: 2, threshold: 500 };
const TIERS = [GOLD, SILVER];
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
const order = (orderId: number, placed: string, activity: number, changes: { at: string; activity: number }[] = []): ActivityOrder => ({
  orderId: BigInt(orderId),
  processedAt: day(placed),
  activity,
  changes: changes.map((change) => ({ at: day(change.at), activity: change.activity })),
});
const lifetime = { period: "lifetime" as const, timeZone: null };

describe("tier timeline", () => {
  it("an order earns under the tier its earlier orders reached, never counting itself", () => {
    const orders = [order(1, "2026-01-01", 80), order(2, "2026-02-01", 60), order(3, "2026-03-01", 400), order(4, "2026-04-01", 10)];
    expect([...tiersOfOrders(orders, TIERS, lifetime).values()].map((tier) => tier?.id ?? null)).toEqual([null, null, 1, 2]);
    // Whatever the order the list comes in.
    expect(tiersOfOrders([...orders].reverse(), TIERS, lifetime).get(4n)).toBe(GOLD);
  });

  it("refunds lower progress but never the tier held in the period", () => {
    const orders = [order(1, "2026-01-01", 600, [{ at: "2026-01-05", activity: 0 }]), order(2, "2026-02-01", 50)];
    expect(tiersOfOrders(orders, TIERS, lifetime).get(2n)).toBe(GOLD);
    expect(currentActivity(orders, lifetime, day("2026-03-01"))).toBe(50);
    // A refund before the order reached nothing: it never counted.
    const refundedFirst = [order(1, "2026-01-01", 600, [{ at: "2025-12-01", activity: 0 }]), order(2, "2026-02-01", 50)];
    expect(tiersOfOrders(refundedFirst, TIERS, lifetime).get(2n)).toBe(GOLD); // the refund counts from the order's placement at the earliest
  });

  it("calendar years: this year's activity, and last year's tier held through this year", () => {
    const options = { period: "calendar_year" as const, timeZone: "UTC" };
    const orders = [order(1, "2025-03-01", 520), order(2, "2026-06-01", 10), order(3, "2027-02-01", 10), order(4, "2027-03-01", 150), order(5, "2027-04-01", 1)];
    const tiers = tiersOfOrders(orders, TIERS, options);
    expect(tiers.get(2n)).toBe(GOLD); // reached in 2025, held through 2026
    expect(tiers.get(3n)).toBeNull(); // 2026 reached nothing
    expect(tiers.get(5n)).toBe(SILVER); // 2027 so far: 160
  });

  it("rolling 12 months: orders of the last 365 days count, and age out", () => {
    const options = { period: "rolling_12_months" as const, timeZone: null };
    const orders = [order(1, "2026-01-01", 500), order(2, "2026-12-01", 5), order(3, "2027-01-10", 5)];
    const tiers = tiersOfOrders(orders, TIERS, options);
    expect(tiers.get(2n)).toBe(GOLD);
    expect(tiers.get(3n)).toBeNull();
    expect(tierHeldAt(orders, TIERS, options, { at: day("2026-12-31"), orderId: 0n, seq: 0 })).toBe(GOLD);
  });
});

describe("placements", () => {
  it("orders placements by processed_at, then by order id, and takes an unknown id as possibly later", () => {
    const at = day("2026-05-01");
    expect(placedAfter({ at: at + 1, orderId: 1n }, { at, orderId: 9n })).toBe(true);
    expect(placedAfter({ at, orderId: 10n }, { at, orderId: 9n })).toBe(true);
    expect(placedAfter({ at, orderId: 9n }, { at, orderId: 9n })).toBe(false);
    expect(placedAfter({ at, orderId: 8n }, { at, orderId: 9n })).toBe(false);
    expect(placedAfter({ at, orderId: 10n }, { at, orderId: null })).toBe(false);
    expect(placedAfter({ at: at + 1, orderId: 1n }, { at, orderId: null })).toBe(true);
    expect(lastPlacement([order(3, "2026-05-01", 10), order(7, "2026-05-01", 10), order(5, "2026-04-01", 10)])).toEqual({ at, orderId: 7n });
    expect(lastPlacement([])).toEqual({ at: 0, orderId: 0n });
  });

  it("knows when a version's tiers apply to an order as the current ones do", () => {
    const current = [
      { id: 1, thresholdPoints: 100, multiplierPercent: 110 },
      { id: 2, thresholdPoints: 500, multiplierPercent: 150 },
    ];
    // No tiers recorded, or a tier added since: the current ones apply.
    expect(tiersAsRecorded(null, current)).toBe(true);
    expect(tiersAsRecorded([], current)).toBe(true);
    expect(tiersAsRecorded([{ id: 1, thresholdPoints: 100, multiplierPercent: 110 }], current)).toBe(true);
    // A tier deleted since does not matter; one changed since does.
    expect(tiersAsRecorded([...current, { id: 3, thresholdPoints: 900, multiplierPercent: 200 }], current)).toBe(true);
    expect(tiersAsRecorded([{ id: 2, thresholdPoints: 500, multiplierPercent: 125 }], current)).toBe(false);
    expect(tiersAsRecorded([{ id: 2, thresholdPoints: 400, multiplierPercent: 150 }], current)).toBe(false);
    // A snapshot from before thresholds were recorded: the current threshold applies.
    expect(tiersAsRecorded([{ id: 2, multiplierPercent: 150 }], current)).toBe(true);
  });
});
