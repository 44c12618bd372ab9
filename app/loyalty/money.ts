// Money is integer minor units. Shopify sends decimal strings ("12.34"); they are parsed
// exactly, never through floating point, and no digit Shopify sent is ever dropped: an amount
// with more decimals than its currency's ISO 4217 exponent is kept at a finer exponent
// (amountExponent), and amounts at different exponents are rescaled exactly before the one
// final floor (order.ts).
import { ISO_4217_MINOR_UNITS } from "./iso-4217";

/** Largest amount accepted, in minor units: far above any real order, well inside 2^53. */
export const MAX_AMOUNT_MINOR = 10 ** 14;

export class MoneyFormatError extends Error {}

/** An ISO 4217 code with a minor unit (the table in iso-4217.ts). */
export function isKnownCurrency(code: string): boolean {
  return ISO_4217_MINOR_UNITS.has(code);
}

/** Digits after the decimal point for an ISO 4217 code (USD 2, JPY 0, HUF 2, KWD 3). */
export function currencyExponent(currency: string): number {
  const exponent = ISO_4217_MINOR_UNITS.get(currency.toUpperCase());
  if (exponent === undefined) throw new MoneyFormatError(`unknown currency "${currency}"`);
  return exponent;
}

/** An exact decimal: units / 10^exponent. */
export interface Decimal {
  units: bigint;
  exponent: number;
}

const DECIMAL = /^(\d{1,20})(?:\.(\d{1,20}))?$/;

/** "12.340" → 1234 / 10^2: exact, trailing zeros of the fraction dropped ("1000.0" → 1000). */
export function parseDecimal(amount: string): Decimal {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new MoneyFormatError(`"${amount}" is not a non-negative decimal amount`);
  const [, whole, fraction = ""] = match;
  const significant = fraction.replace(/0+$/, "");
  return { units: BigInt(whole + significant), exponent: significant.length };
}

/**
 * The amount in minor units at `exponent` decimals. The caller picks an exponent that holds
 * every digit (amountExponent); asking for fewer is a bug, not a rounding.
 */
export function toMinorUnits(amount: Decimal, exponent: number): number {
  if (exponent < amount.exponent) throw new Error(`${amount.exponent} decimals do not fit in ${exponent}`);
  const minor = amount.units * 10n ** BigInt(exponent - amount.exponent);
  if (minor > BigInt(MAX_AMOUNT_MINOR)) throw new MoneyFormatError("amount is out of range");
  return Number(minor);
}

/** "12.34" at 2 decimals → 1234; refuses an amount with more decimals than `exponent`. */
export function parseMinorUnits(amount: string, exponent: number): number {
  const decimal = parseDecimal(amount);
  if (decimal.exponent > exponent) throw new MoneyFormatError(`"${amount}" has more than ${exponent} decimals`);
  return toMinorUnits(decimal, exponent);
}

/**
 * The exponent a set of amounts in one currency is kept at: the currency's ISO exponent, or
 * more when Shopify sent more decimals than that, so that no digit is lost.
 */
export function amountExponent(isoExponent: number, amounts: readonly Decimal[]): number {
  return amounts.reduce((exponent, amount) => Math.max(exponent, amount.exponent), isoExponent);
}

/** Minor units at `from` decimals, exactly, at `to` ≥ `from` decimals. */
export function rescaleMinor(minor: number | bigint, from: number, to: number): bigint {
  return BigInt(minor) * 10n ** BigInt(to - from);
}

export function formatMinorUnits(minor: number, exponent: number): string {
  const sign = minor < 0 ? "-" : "";
  const digits = Math.abs(minor).toString().padStart(exponent + 1, "0");
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
