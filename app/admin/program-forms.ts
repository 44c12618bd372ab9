// The program pages' forms as the browser posts them (text fields) turned into the values the
// domain validates (numbers, booleans, minor units). Nothing is judged here beyond the shape of a
// number or an amount: the domain's zod schemas give the field errors for the rest, so a value
// that is not a whole number reaches them as text and is refused as such.
import type { FieldErrors } from "~/loyalty/field-errors";
import { MoneyFormatError, parseMinorUnits } from "~/loyalty/money";

type Form = Pick<FormData, "get">;

function text(form: Form, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** "12" → 12; anything else stays text (the schema refuses it as not a whole number). */
function wholeNumber(form: Form, name: string): number | string {
  const value = text(form, name).trim();
  return /^-?\d{1,16}$/.test(value) ? Number(value) : value;
}

/** Blank → null (nothing set). */
function optionalWholeNumber(form: Form, name: string): number | string | null {
  return text(form, name).trim() === "" ? null : wholeNumber(form, name);
}

function checkbox(form: Form, name: string): boolean {
  const value = text(form, name);
  return value === "on" || value === "true";
}

function optionalText(form: Form, name: string): string | null {
  const value = text(form, name).trim();
  return value === "" ? null : value;
}

export function programSettingsFromForm(form: Form) {
  return {
    name: text(form, "name").trim(),
    earning: { points: wholeNumber(form, "earning.points"), perMajorUnits: wholeNumber(form, "earning.perMajorUnits") },
    pendingDays: wholeNumber(form, "pendingDays"),
    expiryDays: optionalWholeNumber(form, "expiryDays"),
    signupPoints: wholeNumber(form, "signupPoints"),
    birthdayPoints: wholeNumber(form, "birthdayPoints"),
    referrals: {
      enabled: checkbox(form, "referrals.enabled"),
      referrerPoints: wholeNumber(form, "referrals.referrerPoints"),
      friendDiscountMajorUnits: wholeNumber(form, "referrals.friendDiscountMajorUnits"),
      weeklyCapPerReferrer: wholeNumber(form, "referrals.weeklyCapPerReferrer"),
    },
    redemption: {
      maxRedeemsPerHour: wholeNumber(form, "redemption.maxRedeemsPerHour"),
      returnPointsForExpiredCodes: checkbox(form, "redemption.returnPointsForExpiredCodes"),
      returnPointsForCancelledOrders: checkbox(form, "redemption.returnPointsForCancelledOrders"),
    },
    tiers: { basis: text(form, "tiers.basis"), period: text(form, "tiers.period") },
    appearance: {
      heading: optionalText(form, "appearance.heading"),
      launcherLabel: optionalText(form, "appearance.launcherLabel"),
      accentColor: optionalText(form, "appearance.accentColor"),
      accentTextColor: optionalText(form, "appearance.accentTextColor"),
      backgroundColor: optionalText(form, "appearance.backgroundColor"),
      textColor: optionalText(form, "appearance.textColor"),
    },
  };
}

/** An amount in the shop's currency ("5.00") as minor units; blank → null. */
function amountMinor(form: Form, name: string, exponent: number, errors: FieldErrors): number | null | string {
  const value = text(form, name).trim();
  if (value === "") return null;
  try {
    return parseMinorUnits(value, exponent);
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    errors[name] = /decimals/.test(error.message) ? { key: "errorDecimals", values: { decimals: exponent } } : { key: "errorAmount" };
    return value;
  }
}

/** A variant as the merchant gives it: its number, or its GraphQL id. */
function variantGid(form: Form): string | null {
  const value = text(form, "variantGid").trim();
  if (value === "") return null;
  return /^\d+$/.test(value) ? `gid://shopify/ProductVariant/${value}` : value;
}

/**
 * The reward form: the reward (rewards.ts shape, without id) and the errors of amounts that do
 * not parse in the shop's currency. Fields of other kinds than the chosen one are left out.
 */
export function rewardInputFromForm(form: Form, exponent: number): { input: Record<string, unknown>; fieldErrors: FieldErrors } {
  const fieldErrors: FieldErrors = {};
  const kind = text(form, "kind");
  const tier = text(form, "tierId");
  const input: Record<string, unknown> = {
    kind,
    title: text(form, "title").trim(),
    costPoints: wholeNumber(form, "costPoints"),
    enabled: checkbox(form, "enabled"),
    minimumSubtotalMinor: amountMinor(form, "minimumSubtotal", exponent, fieldErrors),
    codeExpiryDays: optionalWholeNumber(form, "codeExpiryDays"),
    combinesWith: { order: checkbox(form, "combinesWith.order"), product: checkbox(form, "combinesWith.product"), shipping: checkbox(form, "combinesWith.shipping") },
    tierId: tier === "" ? null : wholeNumber(form, "tierId"),
  };
  if (kind === "fixed_amount" || kind === "store_credit" || kind === "free_product" || kind === "variable") {
    input.amountMinor = amountMinor(form, "amount", exponent, fieldErrors) ?? undefined;
  }
  if (kind === "percentage") input.percentage = wholeNumber(form, "percentage");
  if (kind === "free_product") input.variantGid = variantGid(form) ?? undefined;
  if (kind === "variable") {
    input.minPoints = wholeNumber(form, "minPoints");
    input.maxPoints = wholeNumber(form, "maxPoints");
    input.stepPoints = wholeNumber(form, "stepPoints");
  }
  return { input, fieldErrors };
}

export function tierInputFromForm(form: Form) {
  return {
    name: text(form, "name").trim(),
    thresholdPoints: wholeNumber(form, "thresholdPoints"),
    multiplierPercent: wholeNumber(form, "multiplierPercent"),
    // Blank: no entry bonus, no entry reward.
    entryBonusPoints: optionalWholeNumber(form, "entryBonusPoints") ?? 0,
    entryRewardId: optionalWholeNumber(form, "entryRewardId"),
  };
}

/** Domain field names → the form's (amounts are entered in currency, stored in minor units). */
export function formFieldErrors(errors: FieldErrors): FieldErrors {
  const renamed: FieldErrors = {};
  for (const [field, error] of Object.entries(errors)) {
    const name = field === "amountMinor" ? "amount" : field === "minimumSubtotalMinor" ? "minimumSubtotal" : field;
    renamed[name] ??= error;
  }
  return renamed;
}
