import { describe, expect, it } from "vitest";
import { codeExpiry, issuesCode, newDiscountCode, redemptionValue, rewardFromRow, type RewardRow } from "./rewards";

const row = (overrides: Partial<RewardRow>): RewardRow => ({
  id: 1,
  title: "Reward",
  kind: "fixed_amount",
  costPoints: 500,
  amountMinor: 500,
  percentage: null,
  variantGid: null,
  minPoints: null,
  maxPoints: null,
  stepPoints: null,
  minimumSubtotalMinor: null,
  codeExpiryDays: null,
  combinesWithOrder: false,
  combinesWithProduct: false,
  combinesWithShipping: false,
  tierId: null,
  enabled: true,
  ...overrides,
});

describe("rewards", () => {
  it("reads each kind from its row, and refuses rows that do not make a reward", () => {
    expect(rewardFromRow(row({}))).toMatchObject({ kind: "fixed_amount", amountMinor: 500 });
    expect(rewardFromRow(row({ kind: "percentage", percentage: 10, amountMinor: null }))).toMatchObject({ kind: "percentage", percentage: 10 });
    expect(rewardFromRow(row({ kind: "percentage", percentage: 0 }))).toBeNull();
    expect(rewardFromRow(row({ kind: "percentage", percentage: 101 }))).toBeNull();
    expect(rewardFromRow(row({ kind: "fixed_amount", amountMinor: null }))).toBeNull();
    expect(rewardFromRow(row({ kind: "free_product", variantGid: "gid://shopify/Product/1" }))).toBeNull();
    expect(rewardFromRow(row({ kind: "free_product", variantGid: "gid://shopify/ProductVariant/12" }))).toMatchObject({ kind: "free_product" });
    expect(rewardFromRow(row({ kind: "gift_card" }))).toBeNull();
    expect(rewardFromRow(row({ costPoints: 0 }))).toBeNull();
    // Variable: steps must be whole multiples of the unit, so every choice is a whole amount.
    const variable = { kind: "variable", costPoints: 100, amountMinor: 100, minPoints: 200, maxPoints: 1000, stepPoints: 100 };
    expect(rewardFromRow(row(variable))).toMatchObject({ kind: "variable" });
    expect(rewardFromRow(row({ ...variable, stepPoints: 150 }))).toBeNull();
    expect(rewardFromRow(row({ ...variable, minPoints: 2000 }))).toBeNull();
    expect(rewardFromRow(row({ ...variable, minPoints: 250 }))).toBeNull();
  });

  it("prices a redemption: fixed costs, and a variable one within its range and steps", () => {
    const fixed = rewardFromRow(row({}))!;
    expect(redemptionValue(fixed, undefined)).toEqual({ pointsSpent: 500, amountMinor: 500, percentage: null });
    expect(redemptionValue(fixed, 500)).toEqual({ pointsSpent: 500, amountMinor: 500, percentage: null });
    expect(redemptionValue(fixed, 100)).toMatchObject({ code: "points_not_allowed" });
    const variable = rewardFromRow(row({ kind: "variable", costPoints: 100, amountMinor: 250, minPoints: 200, maxPoints: 1000, stepPoints: 200 }))!;
    expect(redemptionValue(variable, 600)).toEqual({ pointsSpent: 600, amountMinor: 1500, percentage: null });
    expect(redemptionValue(variable, undefined)).toMatchObject({ code: "points_required" });
    expect(redemptionValue(variable, 300)).toMatchObject({ code: "points_out_of_range" });
    expect(redemptionValue(variable, 1200)).toMatchObject({ code: "points_out_of_range" });
    const percentage = rewardFromRow(row({ kind: "percentage", percentage: 15, amountMinor: null }))!;
    expect(redemptionValue(percentage, undefined)).toEqual({ pointsSpent: 500, amountMinor: null, percentage: 15 });
  });

  it("makes codes from the unambiguous alphabet, and dates their expiry", () => {
    const code = newDiscountCode(new Uint8Array([0, 1, 2, 31, 32, 255, 100, 7, 8, 9]));
    expect(code).toMatch(/^TALLY-[A-HJ-NP-Z2-9]{10}$/);
    expect(code).toBe("TALLY-ABC9A9EHJK");
    expect(codeExpiry({ codeExpiryDays: null }, new Date(0))).toBeNull();
    expect(codeExpiry({ codeExpiryDays: 2 }, new Date(0))).toEqual(new Date(2 * 86_400_000));
    expect(issuesCode("store_credit")).toBe(false);
    expect(issuesCode("free_shipping")).toBe(true);
  });
});
