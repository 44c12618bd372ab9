import { describe, expect, it } from "vitest";
import { currencyExponent, formatMinorUnits, MoneyFormatError, parseMinorUnits } from "./money";

describe("money", () => {
  it("knows each currency's minor unit", () => {
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(() => currencyExponent("XYZ1")).toThrow(MoneyFormatError);
  });

  it("parses Shopify's decimal strings exactly, without floating point", () => {
    expect(parseMinorUnits("12.34", 2)).toBe(1234);
    expect(parseMinorUnits("0.10", 2)).toBe(10);
    expect(parseMinorUnits("19.99", 2)).toBe(1999);
    expect(parseMinorUnits("5", 2)).toBe(500);
    expect(parseMinorUnits("1000.0", 0)).toBe(1000);
    expect(parseMinorUnits("1.234", 3)).toBe(1234);
    expect(parseMinorUnits("1.239", 2)).toBe(123);
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
