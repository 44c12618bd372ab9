import { describe, expect, it } from "vitest";
import {
  amountExponent,
  currencyExponent,
  formatMinorUnits,
  isKnownCurrency,
  MoneyFormatError,
  parseDecimal,
  parseMinorUnits,
  toMinorUnits,
} from "./money";

describe("money", () => {
  it("knows each currency's minor unit", () => {
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(() => currencyExponent("XYZ1")).toThrow(MoneyFormatError);
  });

  it("takes minor units from ISO 4217, not from how Intl displays the currency", () => {
    // Intl shows these without decimals; ISO 4217 (and Shopify's "2490.00") has two, IQD three.
    for (const code of ["HUF", "IDR", "COP", "PKR", "LBP", "MMK", "ALL"]) expect(currencyExponent(code), code).toBe(2);
    expect(currencyExponent("IQD")).toBe(3);
    expect(currencyExponent("CLF")).toBe(4);
    expect(isKnownCurrency("HUF")).toBe(true);
    // Intl accepts these; they have no minor unit in ISO 4217.
    expect(isKnownCurrency("XAU")).toBe(false);
    expect(isKnownCurrency("XXX")).toBe(false);
    expect(() => currencyExponent("XAU")).toThrow(MoneyFormatError);
  });

  it("parses Shopify's decimal strings exactly, without floating point", () => {
    expect(parseMinorUnits("12.34", 2)).toBe(1234);
    expect(parseMinorUnits("0.10", 2)).toBe(10);
    expect(parseMinorUnits("19.99", 2)).toBe(1999);
    expect(parseMinorUnits("5", 2)).toBe(500);
    expect(parseMinorUnits("1000.0", 0)).toBe(1000);
    expect(parseMinorUnits("1.234", 3)).toBe(1234);
    expect(parseMinorUnits("2490.00", 2)).toBe(249_000);
  });

  it("never drops a digit: more decimals than asked for is refused, not truncated", () => {
    expect(() => parseMinorUnits("1.239", 2)).toThrow(MoneyFormatError);
    expect(parseDecimal("1.2390")).toEqual({ units: 1239n, exponent: 3 });
    expect(parseDecimal("1000.0")).toEqual({ units: 1000n, exponent: 0 });
    const amounts = ["10.00", "0.005"].map(parseDecimal);
    const exponent = amountExponent(2, amounts);
    expect(exponent).toBe(3);
    expect(amounts.map((amount) => toMinorUnits(amount, exponent))).toEqual([10_000, 5]);
  });

  it("refuses what is not a non-negative decimal, and absurd amounts", () => {
    for (const bad of ["", "abc", "-1.00", "1e5", "1,00", "12.", ".5", "NaN", "99999999999999999999"]) {
      expect(() => parseMinorUnits(bad, 2), bad).toThrow(MoneyFormatError);
    }
  });

  it("formats minor units back", () => {
    expect(formatMinorUnits(500, 2)).toBe("5.00");
    expect(formatMinorUnits(5, 2)).toBe("0.05");
    expect(formatMinorUnits(-1234, 2)).toBe("-12.34");
    expect(formatMinorUnits(500, 0)).toBe("500");
  });
});
