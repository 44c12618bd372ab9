// Money is integer minor units of the shop currency. Shopify sends decimal strings ("12.34");
// they are parsed exactly, never through floating point.

/** Largest amount accepted, in minor units: far above any real order, well inside 2^53. */
export const MAX_AMOUNT_MINOR = 10 ** 14;

export class MoneyFormatError extends Error {}

const exponentCache = new Map<string, number>();

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** An ISO 4217 code this runtime knows the minor units of (Intl accepts any 3 letters). */
export function isKnownCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

/** Digits after the decimal point for an ISO 4217 code (USD 2, JPY 0, KWD 3). */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  let exponent = exponentCache.get(code);
  if (exponent === undefined) {
    try {
      exponent = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    } catch {
      throw new MoneyFormatError(`unknown currency "${currency}"`);
    }
    exponentCache.set(code, exponent);
  }
  return exponent;
}

const DECIMAL = /^(\d{1,20})(?:\.(\d{1,20}))?$/;

/**
 * "12.34" in a 2-decimal currency → 1234. Digits beyond the currency's precision are
 * truncated (Shopify pads, e.g. "1000.0" for JPY; it never charges sub-minor amounts).
 */
export function parseMinorUnits(amount: string, exponent: number): number {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new MoneyFormatError(`"${amount}" is not a non-negative decimal amount`);
  const [, whole, fraction = ""] = match;
  const digits = whole + fraction.padEnd(exponent, "0").slice(0, exponent);
  const minor = Number(BigInt(digits));
  if (minor > MAX_AMOUNT_MINOR) throw new MoneyFormatError(`"${amount}" is out of range`);
  return minor;
}

export function formatMinorUnits(minor: number, exponent: number): string {
  const sign = minor < 0 ? "-" : "";
  const digits = Math.abs(minor).toString().padStart(exponent + 1, "0");
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
