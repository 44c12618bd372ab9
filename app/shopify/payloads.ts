// Shopify REST webhook payloads → domain values. Parse, don't validate: everything past this
// file works with typed, integer-money domain values. Money is always taken from shop_money
// (the shop's currency), never presentment_money.
import { z } from "zod";
import {
  amountExponent,
  currencyExponent,
  isKnownCurrency,
  MoneyFormatError,
  parseDecimal,
  toMinorUnits,
  type Decimal,
} from "~/loyalty/money";
import {
  eligibleAmountOf,
  refundFactOf,
  type OrderLine,
  type OrderVersion,
  type RefundFact,
} from "~/loyalty/order";
import { normaliseReferralCode } from "~/loyalty/referrals";
import { subscribedToEmail } from "~/loyalty/earning-actions";
import { MAX_SHOPIFY_ID, type ShopifyId } from "~/loyalty/shopify-id";
import { isTipLine } from "./tip-line";
import type { CustomerProfile } from "~/loyalty/members.server";

/**
 * Shopify's numeric ids (64-bit). Past 2^53 they arrive as bigint, read exactly from the JSON
 * text by parseShopifyJson; below it as numbers. Either way the domain gets a bigint.
 */
const shopifyId = z
  .union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.bigint().positive().max(MAX_SHOPIFY_ID)])
  .transform((id): ShopifyId => BigInt(id));
const quantity = z.number().int().min(0).max(1_000_000);
const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code")
  .refine(isKnownCurrency, "is not a known currency");
const timestamp = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));
/** A boolean Shopify may send as null (sample and lean payloads), read as false. */
const flag = z.boolean().nullish().transform((value) => value ?? false);
/** A list Shopify may leave out or send as null. */
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((value) => value ?? []);

/** Runs a transform, turning an out-of-range or malformed amount into a zod issue. */
function withMoneyIssues<T>(ctx: z.RefinementCtx, transform: () => T): T {
  try {
    return transform();
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
    return z.NEVER;
  }
}

const money = z.object({ amount: z.string(), currency_code: currencyCode });
const moneySet = z.object({ shop_money: money, presentment_money: money.optional() });
type MoneySet = z.infer<typeof moneySet>;

/** Runs `read`, naming the payload path in a MoneyFormatError (see withMoneyIssues). */
function at<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new MoneyFormatError(`${path}: ${error.message}`);
    throw error;
  }
}

interface ShopAmount {
  decimal: Decimal;
  path: string;
}

/**
 * An amount of shop money, exactly as sent: from its *_set's shop_money, or, in a lean payload
 * without the set, from the plain amount (in shop currency); null when the payload has neither.
 */
function shopAmount(set: MoneySet | null | undefined, plain: string | null | undefined, path: string): ShopAmount | null {
  const text = set ? set.shop_money.amount : plain;
  return text == null ? null : { decimal: at(path, () => parseDecimal(text)), path };
}

/**
 * A payload's amounts are read at one exponent: the currency's ISO 4217 exponent, or more if
 * Shopify sent more decimals, so that no digit it sent is dropped (money.ts).
 */
function minorUnitsReader(isoExponent: number, amounts: readonly (ShopAmount | null)[]) {
  const exponent = amountExponent(isoExponent, amounts.flatMap((amount) => (amount ? [amount.decimal] : [])));
  const minor = (amount: ShopAmount | null) => (amount === null ? 0 : at(amount.path, () => toMinorUnits(amount.decimal, exponent)));
  return { exponent, minor };
}

const customerSchema = z.object({
  id: shopifyId,
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});

/** A tip line's fields (tip-line.ts tells a tip by them). */
const tipFields = {
  tip: z.looseObject({}).nullish(),
  tip_payment_gateway: z.string().nullish(),
  tip_payment_method: z.string().nullish(),
  product_id: z.unknown().optional(),
};

const lineItemSchema = z.object({
  id: shopifyId,
  quantity,
  // Quantity after removals (edits and refunds), REST 2024-01+.
  current_quantity: quantity.nullish(),
  gift_card: flag,
  ...tipFields,
  // Every REST version since 2019-10 sends the *_set; the plain amounts (shop currency) are only
  // read when a payload lacks it.
  price_set: moneySet.nullish(),
  price: z.string().nullish(),
  discount_allocations: list(z.object({ amount_set: moneySet.nullish(), amount: z.string().nullish() })),
  tax_lines: list(z.object({ price_set: moneySet.nullish(), price: z.string().nullish() })),
});

// REST refunds give the plain `subtotal`/`total_tax` as numbers; the *_set are what we read.
const plainAmount = z.union([z.string(), z.number().nonnegative().transform((value) => String(value))]);

const refundLineItemSchema = z.object({
  line_item_id: shopifyId,
  quantity,
  subtotal_set: moneySet.nullish(),
  subtotal: plainAmount.nullish(),
  total_tax_set: moneySet.nullish(),
  total_tax: plainAmount.nullish(),
  line_item: z.object({ gift_card: flag, ...tipFields }).nullish(),
});

/** A timestamp that only informs (tier timelines): unreadable reads as absent, never refuses the payload. */
const looseTimestamp = z
  .string()
  .nullish()
  .transform((value) => {
    const ms = value ? Date.parse(value) : Number.NaN;
    return Number.isFinite(ms) ? ms : null;
  });

const refundSchema = z.object({
  id: shopifyId,
  order_id: shopifyId,
  created_at: looseTimestamp,
  refund_line_items: list(refundLineItemSchema),
  // transactions[] is not read: its currency is presentment money, never the shop's.
});

const orderSchema = z.object({
  id: shopifyId,
  updated_at: timestamp.nullish(),
  processed_at: timestamp.nullish(),
  created_at: timestamp.nullish(),
  cancelled_at: z.string().nullish(),
  taxes_included: flag,
  // The shop's currency; every *_set's shop_money carries it too.
  currency: currencyCode.nullish(),
  customer: customerSchema.nullish(),
  line_items: z.array(lineItemSchema),
  refunds: list(refundSchema),
  // Codes the order used: a Tally code marks its redemption used (or returned, on cancel).
  discount_codes: list(z.object({ code: z.string().max(255) })),
  // A code applied at checkout is in both; read both so that a payload with only one still counts.
  discount_applications: list(z.object({ type: z.string().nullish(), code: z.string().max(255).nullish() })),
  // Cart attributes: `tally_referral` carries a referral code from the widget (?ref=).
  note_attributes: list(z.object({ name: z.string().max(255), value: z.union([z.string(), z.number()]).nullish() })),
  email: z.string().max(320).nullish(),
});

/** The cart attribute the storefront widget sets from `?ref=` (it arrives as a note attribute). */
export const REFERRAL_ATTRIBUTE = "tally_referral";

export interface OrderPayload {
  order: OrderVersion;
  customer: CustomerProfile | null;
  /** Discount codes the order used, as the customer typed them. */
  discountCodes: string[];
  /** The referral code the cart carried (note attribute `tally_referral`), normalised; null if none or malformed. */
  referralCode: string | null;
  /** The customer's email, else the order's. */
  email: string | null;
}

/** orders/paid, orders/updated, orders/cancelled: the full REST Order. */
export const orderPayload = orderSchema.transform((raw, ctx) => withMoneyIssues(ctx, () => orderFrom(raw)));

function orderFrom(raw: z.output<typeof orderSchema>): OrderPayload {
  const currency = raw.currency ?? raw.line_items.find((item) => item.price_set)?.price_set?.shop_money.currency_code;
  if (!currency) throw new MoneyFormatError("currency: the order names no currency");
  const required = (set: MoneySet | null | undefined, plain: string | null | undefined, path: string) => {
    const amount = shopAmount(set, plain, path);
    if (amount === null) throw new MoneyFormatError(`${path}: missing`);
    return amount;
  };
  const amounts = raw.line_items.map((item, index) => {
    const path = `line_items.${index}`;
    return {
      price: required(item.price_set, item.price, `${path}.price_set`),
      discounts: item.discount_allocations.map((allocation, i) => required(allocation.amount_set, allocation.amount, `${path}.discount_allocations.${i}`)),
      taxes: item.tax_lines.map((tax, i) => required(tax.price_set, tax.price, `${path}.tax_lines.${i}`)),
    };
  });
  const { exponent, minor } = minorUnitsReader(
    currencyExponent(currency),
    amounts.flatMap((line) => [line.price, ...line.discounts, ...line.taxes]),
  );
  // current_quantity also drops refunded units; add them back so that refunds, which arrive
  // as refunds/create, are not counted twice. What remains of the drop is an edit.
  const refundedUnits = new Map<ShopifyId, number>();
  for (const refund of raw.refunds) {
    for (const line of refund.refund_line_items) {
      refundedUnits.set(line.line_item_id, (refundedUnits.get(line.line_item_id) ?? 0) + line.quantity);
    }
  }
  const lines: OrderLine[] = raw.line_items.map((item, index) => {
    const current = item.current_quantity ?? item.quantity;
    const { price, discounts, taxes } = amounts[index];
    return {
      quantity: item.quantity,
      quantityAfterEdits: Math.min(item.quantity, current + (refundedUnits.get(item.id) ?? 0)),
      unitPriceMinor: minor(price),
      discountMinor: discounts.reduce((sum, discount) => sum + minor(discount), 0),
      taxMinor: taxes.reduce((sum, tax) => sum + minor(tax), 0),
      giftCard: item.gift_card,
      tip: isTipLine(item),
    };
  });
  return {
    order: {
      orderId: raw.id,
      customerId: raw.customer?.id ?? null,
      currency,
      // Versions are ordered by updated_at; a payload without it counts as the oldest.
      updatedAt: raw.updated_at ?? raw.processed_at ?? raw.created_at ?? 0,
      taxesIncluded: raw.taxes_included,
      cancelled: raw.cancelled_at != null,
      processedAt: raw.processed_at ?? raw.created_at ?? null,
      cancelledAt: raw.cancelled_at ? looseTimestamp.parse(raw.cancelled_at) : null,
      eligibleMinor: eligibleAmountOf(lines, raw.taxes_included),
      amountExponent: exponent,
    },
    customer: raw.customer
      ? { email: raw.customer.email, firstName: raw.customer.first_name, lastName: raw.customer.last_name }
      : null,
    discountCodes: [
      ...new Set([
        ...raw.discount_codes.map((discount) => discount.code),
        ...raw.discount_applications.flatMap((application) => (application.type === "discount_code" && application.code ? [application.code] : [])),
      ]),
    ],
    referralCode: normaliseReferralCode(raw.note_attributes.find((attribute) => attribute.name === REFERRAL_ATTRIBUTE)?.value?.toString()),
    email: raw.customer?.email ?? raw.email ?? null,
  };
}

export interface RefundPayload {
  refund: RefundFact;
  /** The shop's currency as the refund's shop_money names it; null in a lean payload. */
  currency: string | null;
}

/**
 * refunds/create: shipping refunds (refund_shipping_lines, order_adjustments) earn nothing back.
 * The currency comes from shop_money only: transactions[].currency is the presentment currency
 * the customer paid in, and must never be taken for the shop's. A lean refund's plain amounts
 * (shop currency) are exact decimals, read against the order's amounts whatever the currency.
 */
export const refundPayload = refundSchema.transform((raw, ctx) =>
  withMoneyIssues(ctx, (): RefundPayload => {
    const currency =
      raw.refund_line_items.flatMap((line) => [line.subtotal_set, line.total_tax_set]).find((set) => set)?.shop_money.currency_code ?? null;
    const amounts = raw.refund_line_items.map((line, index) => ({
      subtotal: shopAmount(line.subtotal_set, line.subtotal, `refund_line_items.${index}.subtotal_set`),
      tax: shopAmount(line.total_tax_set, line.total_tax, `refund_line_items.${index}.total_tax_set`),
    }));
    // A refund line without an amount refunds nothing of it.
    const { exponent, minor } = minorUnitsReader(
      currency === null ? 0 : currencyExponent(currency),
      amounts.flatMap((line) => [line.subtotal, line.tax]),
    );
    const lines = raw.refund_line_items.map((line, index) => ({
      subtotalMinor: minor(amounts[index].subtotal),
      taxMinor: minor(amounts[index].tax),
      giftCard: line.line_item?.gift_card ?? false,
      tip: line.line_item ? isTipLine(line.line_item) : false,
    }));
    return { refund: { ...refundFactOf(raw.id, raw.order_id, lines, exponent), refundedAt: raw.created_at }, currency };
  }),
);

/**
 * customers/create and customers/update: the REST Customer. Email marketing consent is
 * `email_marketing_consent.state` ("subscribed", "not_subscribed", "pending", "unsubscribed", …);
 * the deprecated `accepts_marketing` is read only when a payload has no consent object.
 */
export const customerPayload = customerSchema
  .extend({
    email_marketing_consent: z.object({ state: z.string().nullish() }).nullish(),
    accepts_marketing: z.boolean().nullish(),
  })
  .transform((raw) => ({
    customerId: raw.id,
    profile: { email: raw.email, firstName: raw.first_name, lastName: raw.last_name } satisfies CustomerProfile,
    subscribedToEmail: subscribedToEmail(raw.email_marketing_consent?.state, raw.accepts_marketing),
  }));

/**
 * The shop a signed body names. The HMAC covers the body but not the X-Shopify-Shop-Domain
 * header, so for the topics that delete or export data this must be the header's shop
 * (handleWebhook's `bodyShop`). `id`: Shopify's numeric shop id, when the body has one.
 */
export interface BodyShop {
  /** Null: the body does not say (Shopify's sample payloads); only its id, if any, is checked. */
  domain: string | null;
  id: ShopifyId | null;
}

const privacyShop = { shop_domain: z.string(), shop_id: shopifyId.nullish() };
const bodyShopOf = (raw: { shop_domain: string; shop_id?: ShopifyId | null }): BodyShop => ({ domain: raw.shop_domain, id: raw.shop_id ?? null });

/** customers/data_request */
export const customerDataRequestPayload = z
  .object({
    ...privacyShop,
    customer: z.object({ id: shopifyId }),
    orders_requested: z.array(shopifyId).default([]),
    data_request: z.object({ id: shopifyId }).nullish(),
  })
  .transform((raw) => ({
    shop: bodyShopOf(raw),
    customerId: raw.customer.id,
    ordersRequested: raw.orders_requested,
    requestId: raw.data_request?.id ?? null,
  }));

/** customers/redact */
export const customerRedactPayload = z
  .object({
    ...privacyShop,
    customer: z.object({ id: shopifyId }),
    orders_to_redact: z.array(shopifyId).default([]),
  })
  .transform((raw) => ({ shop: bodyShopOf(raw), customerId: raw.customer.id, ordersToRedact: raw.orders_to_redact }));

/** shop/redact */
export const shopRedactPayload = z.object(privacyShop).transform((raw) => ({ shop: bodyShopOf(raw) }));

/** app/scopes_update */
export const scopesUpdatePayload = z.object({ current: z.array(z.string()) });

/** app/uninstalled carries the REST Shop; only which shop it is matters. */
// Shopify's sample Shop payload (test notifications, `shopify app webhook trigger`) has
// "myshopify_domain": null; real deliveries name the shop, and then it must be the header's.
export const appUninstalledPayload = z
  .looseObject({ id: shopifyId.nullish(), myshopify_domain: z.string().nullish() })
  .transform((raw) => ({ shop: { domain: raw.myshopify_domain ?? null, id: raw.id ?? null } satisfies BodyShop }));

/** Integer literals of 16 digits or more (2^53 has 16) where a JSON value starts. */
const LONG_INTEGERS = /[:[,]\s*-?(\d{16,})(?![.\deE])/g;

/** Whether the text holds an integer a double cannot hold exactly (the reviver costs more than the parse). */
function hasUnsafeInteger(text: string): boolean {
  for (const [, digits] of text.matchAll(LONG_INTEGERS)) if (!Number.isSafeInteger(Number(digits))) return true;
  return false;
}

/**
 * JSON.parse, except that integers too large for a double keep every digit (as bigint): two
 * distinct 18-digit ids must never read as the same number. Uses the reviver's source text
 * (ES2025 JSON.parse source text access, Node 21+).
 */
export function parseShopifyJson(text: string): unknown {
  if (!hasUnsafeInteger(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)
      ? BigInt(context.source)
      : value,
  );
}
