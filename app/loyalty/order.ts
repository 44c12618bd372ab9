// Orders as the ledger sees them: what each delivery tells us (a version of the order, a
// refund), merged into one set of facts whatever order they arrive in, and the points those
// facts are worth. Merging is commutative and idempotent, so duplicates and reordering end in
// the same state as one in-order delivery of each event.
import { pointsForAmount, type EarningRate } from "./earning";
import { MAX_AMOUNT_MINOR, MoneyFormatError, rescaleMinor } from "./money";
import type { ShopifyId } from "./shopify-id";

export type { ShopifyId };

export interface OrderLine {
  /** Units ordered (the basis of price, discounts and tax below). */
  quantity: number;
  /** Units still on the order after edits; refunded units still count here. */
  quantityAfterEdits: number;
  unitPriceMinor: number;
  /** Every discount allocated to the line (line-level and order-level). */
  discountMinor: number;
  taxMinor: number;
  giftCard: boolean;
  /** A tip, which Shopify's REST payloads send as a line of its own. */
  tip: boolean;
}

/** One delivery's picture of an order (orders/paid, orders/updated, orders/cancelled). */
export interface OrderVersion {
  orderId: ShopifyId;
  customerId: ShopifyId | null;
  currency: string;
  /** updated_at in ms: the newest version decides the eligible amount. */
  updatedAt: number;
  taxesIncluded: boolean;
  cancelled: boolean;
  eligibleMinor: number;
  /** Decimals of eligibleMinor: the currency's ISO 4217 exponent, more if Shopify sent more. */
  amountExponent: number;
  /** processed_at (else created_at) in ms: when the order was placed; null when not sent. */
  processedAt?: number | null;
  /** Shopify's cancelled_at in ms, when cancelled and sent. */
  cancelledAt?: number | null;
}

/** A refund's amounts, at amountExponent decimals (see OrderVersion). */
export interface RefundAmounts {
  /** Refunded line subtotals (after discounts), gift cards excluded; shipping never counts. */
  subtotalMinor: number;
  taxMinor: number;
  amountExponent: number;
  /** Shopify's created_at of the refund in ms; null when not sent. */
  refundedAt?: number | null;
}

export interface RefundFact extends RefundAmounts {
  refundId: ShopifyId;
  orderId: ShopifyId;
}

export interface RefundLine {
  subtotalMinor: number;
  taxMinor: number;
  giftCard: boolean;
  tip: boolean;
}

export type OrderEvent =
  | { kind: "paid"; order: OrderVersion; rate: EarningRate }
  | { kind: "updated"; order: OrderVersion }
  | { kind: "cancelled"; order: OrderVersion }
  | { kind: "refund"; refund: RefundFact };

export interface OrderFacts {
  orderId: ShopifyId;
  paid: boolean;
  cancelled: boolean;
  /** The order's current customer: the one the newest version naming a customer names. */
  customerId: ShopifyId | null;
  /** updated_at of that version. */
  customerUpdatedAt: number | null;
  currency: string | null;
  taxesIncluded: boolean;
  versionUpdatedAt: number | null;
  eligibleMinor: number | null;
  /** Decimals of eligibleMinor (OrderVersion.amountExponent). */
  amountExponent: number | null;
  /** Fixed by the first orders/paid seen. */
  rate: EarningRate | null;
  refunds: ReadonlyMap<ShopifyId, RefundAmounts>;
  /** When the order was placed (the earliest processed_at seen), and Shopify's cancelled_at. */
  processedAt: number | null;
  cancelledAt: number | null;
}

/**
 * Eligible amount of an order's lines: price after every allocated discount, without tax when
 * prices include it, gift cards and tips excluded (REST sends a tip as a line), for the quantity
 * left after edits. Shipping and duties are not line prices, so they never enter.
 */
export function eligibleAmountOf(lines: readonly OrderLine[], taxesIncluded: boolean): number {
  let total = 0n;
  for (const line of lines) {
    if (line.giftCard || line.tip || line.quantity <= 0 || line.quantityAfterEdits <= 0) continue;
    const lineNet =
      BigInt(line.unitPriceMinor) * BigInt(line.quantity) -
      BigInt(line.discountMinor) -
      (taxesIncluded ? BigInt(line.taxMinor) : 0n);
    if (lineNet <= 0n) continue;
    const kept = Math.min(line.quantityAfterEdits, line.quantity);
    total += (lineNet * BigInt(kept)) / BigInt(line.quantity);
  }
  return withinMaxAmount(total, "the order's eligible amount");
}

/** Each amount is capped on its own; a sum of many (quantity × price, many lines) is capped too. */
function withinMaxAmount(minor: bigint, what: string): number {
  if (minor > BigInt(MAX_AMOUNT_MINOR)) throw new MoneyFormatError(`${what} is out of range`);
  return Number(minor);
}

/** Lines' amounts are at `amountExponent` decimals. */
export function refundFactOf(refundId: ShopifyId, orderId: ShopifyId, lines: readonly RefundLine[], amountExponent: number): RefundFact {
  let subtotal = 0n;
  let tax = 0n;
  for (const line of lines) {
    if (line.giftCard || line.tip) continue;
    subtotal += BigInt(line.subtotalMinor);
    tax += BigInt(line.taxMinor);
  }
  withinMaxAmount(subtotal + tax, "the refund's amount");
  return { refundId, orderId, subtotalMinor: Number(subtotal), taxMinor: Number(tax), amountExponent };
}

export function emptyOrderFacts(orderId: ShopifyId): OrderFacts {
  return {
    orderId,
    paid: false,
    cancelled: false,
    customerId: null,
    customerUpdatedAt: null,
    currency: null,
    taxesIncluded: false,
    versionUpdatedAt: null,
    eligibleMinor: null,
    amountExponent: null,
    rate: null,
    refunds: new Map(),
    processedAt: null,
    cancelledAt: null,
  };
}

export function mergeOrderEvent(facts: OrderFacts, event: OrderEvent): OrderFacts {
  switch (event.kind) {
    case "refund": {
      if (facts.refunds.has(event.refund.refundId)) return facts;
      const refunds = new Map(facts.refunds);
      refunds.set(event.refund.refundId, {
        subtotalMinor: event.refund.subtotalMinor,
        taxMinor: event.refund.taxMinor,
        amountExponent: event.refund.amountExponent,
        refundedAt: event.refund.refundedAt ?? null,
      });
      return { ...facts, refunds };
    }
    case "paid":
      return {
        ...mergeVersion(facts, event.order),
        paid: true,
        rate: facts.rate ?? event.rate,
      };
    case "updated":
    case "cancelled":
      return mergeVersion(facts, event.order);
  }
}

function mergeVersion(facts: OrderFacts, version: OrderVersion): OrderFacts {
  const merged: OrderFacts = {
    ...facts,
    // Shopify cannot un-cancel an order: once any delivery says cancelled, it is.
    cancelled: facts.cancelled || version.cancelled,
    currency: facts.currency ?? version.currency,
    // Both are fixed in Shopify; the earliest seen is kept, whatever the arrival order.
    processedAt: earliest(facts.processedAt, version.processedAt ?? null),
    cancelledAt: version.cancelled ? earliest(facts.cancelledAt, version.cancelledAt ?? null) : facts.cancelledAt,
  };
  if (isNewer(version, facts)) {
    merged.versionUpdatedAt = version.updatedAt;
    merged.eligibleMinor = version.eligibleMinor;
    merged.amountExponent = version.amountExponent;
    merged.taxesIncluded = version.taxesIncluded;
    merged.currency = version.currency;
  }
  // A merchant can give an order another customer. A version without one says nothing about
  // it (Shopify leaves the customer out without protected-data access), so the customer is
  // tracked apart from the amounts: the newest version that names one decides.
  if (namesNewerCustomer(version, facts)) {
    merged.customerId = version.customerId;
    merged.customerUpdatedAt = version.updatedAt;
  }
  return merged;
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function namesNewerCustomer(version: OrderVersion, facts: OrderFacts): boolean {
  if (version.customerId === null) return false;
  if (facts.customerId === null || facts.customerUpdatedAt === null) return true;
  if (version.updatedAt !== facts.customerUpdatedAt) return version.updatedAt > facts.customerUpdatedAt;
  // Two versions with one updated_at naming different customers: decided on content.
  return version.customerId > facts.customerId;
}

// Ties are broken on content so that the merge does not depend on arrival order.
function isNewer(version: OrderVersion, facts: OrderFacts): boolean {
  if (facts.versionUpdatedAt === null || facts.eligibleMinor === null || facts.amountExponent === null) return true;
  if (version.updatedAt !== facts.versionUpdatedAt) return version.updatedAt > facts.versionUpdatedAt;
  const exponent = Math.max(version.amountExponent, facts.amountExponent);
  const incoming = rescaleMinor(version.eligibleMinor, version.amountExponent, exponent);
  const known = rescaleMinor(facts.eligibleMinor, facts.amountExponent, exponent);
  if (incoming !== known) return incoming > known;
  return version.amountExponent > facts.amountExponent;
}

/**
 * Points the order is worth now: what its eligible amount, less the eligible amount refunded,
 * earns at the rate fixed when it was paid, floored once. Refunds thus take back points in
 * proportion to the amount refunded, and any order of refunds ends the same. Nothing before
 * payment, after cancellation, or for a guest.
 */
export function orderPoints(facts: OrderFacts): number {
  if (!facts.paid || facts.cancelled || facts.customerId === null) return 0;
  if (facts.rate === null || facts.eligibleMinor === null || facts.amountExponent === null) return 0;
  // Every amount at the finest exponent among them, exactly; the one floor is pointsForAmount's.
  let exponent = facts.amountExponent;
  for (const refund of facts.refunds.values()) exponent = Math.max(exponent, refund.amountExponent);
  const eligible = rescaleMinor(facts.eligibleMinor, facts.amountExponent, exponent);
  let refunded = 0n;
  for (const refund of facts.refunds.values()) {
    const net = refund.subtotalMinor - (facts.taxesIncluded ? refund.taxMinor : 0);
    refunded += rescaleMinor(net, refund.amountExponent, exponent);
  }
  // A refund never takes more than the order's eligible amount, nor gives any back.
  if (refunded < 0n) refunded = 0n;
  if (refunded > eligible) refunded = eligible;
  return pointsForAmount(eligible - refunded, exponent, facts.rate);
}

/**
 * The ledger row for a change of the order's points, named after what changed it: the payment,
 * the cancellation (whichever delivery reported it first: orders/cancelled or orders/updated),
 * a refund, or an edit.
 */
export function ledgerEntryFor(
  event: OrderEvent,
  before: OrderFacts,
  after: OrderFacts,
): { key: string; kind: string; sourceType: string; sourceId: string } {
  const orderId = after.orderId;
  const order = { sourceType: "order", sourceId: String(orderId) };
  if (after.cancelled && !before.cancelled) return { key: `order:${orderId}:cancel`, kind: "cancel_reversal", ...order };
  if (after.paid && !before.paid) return { key: `order:${orderId}:earn`, kind: "earn", ...order };
  if (event.kind === "refund") {
    return { key: `refund:${event.refund.refundId}`, kind: "refund_reversal", sourceType: "refund", sourceId: String(event.refund.refundId) };
  }
  return { key: `order:${orderId}:edit:${after.versionUpdatedAt ?? 0}`, kind: "order_edit", ...order };
}
