import { describe, expect, it } from "vitest";
import { earningRate, pointsForAmount } from "./earning";
import { DEFAULT_PROGRAM } from "./program";

const defaultRate = earningRate(DEFAULT_PROGRAM.earning);

describe("pointsForAmount", () => {
  it("gives 1 point per 1.00 of shop currency by default, rounded down", () => {
    expect(pointsForAmount(10_000, 2, defaultRate)).toBe(100);
    expect(pointsForAmount(1_999, 2, defaultRate)).toBe(19);
    expect(pointsForAmount(99, 2, defaultRate)).toBe(0);
    expect(pointsForAmount(0, 2, defaultRate)).toBe(0);
  });

  it("uses the currency's own minor unit", () => {
    expect(pointsForAmount(1_500, 0, defaultRate)).toBe(1_500); // 1500 JPY
    expect(pointsForAmount(1_500, 3, defaultRate)).toBe(1); // 1.500 KWD
  });

  it("applies the rule and a tier multiplier before flooring once", () => {
    expect(pointsForAmount(1_050, 2, earningRate({ points: 5, perMajorUnits: 1 }))).toBe(52);
    expect(pointsForAmount(2_500, 2, earningRate({ points: 1, perMajorUnits: 10 }))).toBe(2);
    expect(pointsForAmount(1_050, 2, earningRate(DEFAULT_PROGRAM.earning, 150))).toBe(15);
  });

  it("stays exact where a float would not", () => {
    // 0.29 * 100 is 28.999999999999996 in floating point
    expect(pointsForAmount(29, 2, earningRate({ points: 100, perMajorUnits: 1 }))).toBe(29);
  });
});
