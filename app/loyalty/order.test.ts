import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { earningRate } from "./earning";
import {
  eligibleAmountOf,
  emptyOrderFacts,
  mergeOrderEvent,
  orderPoints,
  refundFactOf,
  type OrderEvent,
  type OrderLine,
  type OrderVersion,
} from "./order";
import { MAX_AMOUNT_MINOR, MoneyFormatError } from "./money";
import { DEFAULT_PROGRAM } from "./program";

const rate = earningRate(DEFAULT_PROGRAM.earning);
const ORDER = 1001n;

function version(eligibleMinor: number, overrides: Partial<OrderVersion> = {}): OrderVersion {
  return {
    orderId: ORDER,
    customerId: 7n,
    currency: "USD",
    updatedAt: 1_000,
    taxesIncluded: false,
    cancelled: false,
    eligibleMinor,
    amountExponent: 2,
    ...overrides,
  };
}
const paid = (eligibleMinor: number, overrides: Partial<OrderVersion> = {}): OrderEvent => ({
  kind: "paid",
  order: version(eligibleMinor, overrides),
  rate,
});
const refund = (refundId: number, subtotalMinor: number, taxMinor = 0, amountExponent = 2): OrderEvent => ({
  kind: "refund",
  refund: { refundId: BigInt(refundId), orderId: ORDER, subtotalMinor, taxMinor, amountExponent },
});
const cancelled = (updatedAt = 5_000): OrderEvent => ({
  kind: "cancelled",
  order: version(0, { cancelled: true, updatedAt }),
});
const edited = (eligibleMinor: number, updatedAt: number): OrderEvent => ({
  kind: "updated",
  order: version(eligibleMinor, { updatedAt }),
});

function pointsAfter(events: OrderEvent[]): number {
  return orderPoints(events.reduce(mergeOrderEvent, emptyOrderFacts(ORDER)));
}

const line = (overrides: Partial<OrderLine>): OrderLine => ({
  quantity: 1,
  quantityAfterEdits: 1,
  unitPriceMinor: 0,
  discountMinor: 0,
  taxMinor: 0,
  tip: false,
  giftCard: false,
  ...overrides,
});

describe("eligibleAmountOf", () => {
  it("counts neither tips nor gift cards", () => {
    const lines = [line({ unitPriceMinor: 2_000 }), line({ unitPriceMinor: 5_000, tip: true }), line({ unitPriceMinor: 2_500, giftCard: true })];
    expect(eligibleAmountOf(lines, false)).toBe(2_000);
  });

  it("counts line prices after discounts and leaves out gift cards", () => {
    const lines = [
      line({ unitPriceMinor: 2_500, quantity: 2, quantityAfterEdits: 2, discountMinor: 500 }),
      line({ unitPriceMinor: 5_000, giftCard: true }),
    ];
    expect(eligibleAmountOf(lines, false)).toBe(4_500);
  });

  it("takes the tax out of prices that include it", () => {
    expect(eligibleAmountOf([line({ unitPriceMinor: 11_300, taxMinor: 1_300 })], true)).toBe(10_000);
    expect(eligibleAmountOf([line({ unitPriceMinor: 10_000, taxMinor: 1_300 })], false)).toBe(10_000);
  });

  it("counts only the units left after an edit, with their share of the discount", () => {
    const lines = [line({ unitPriceMinor: 1_000, quantity: 3, quantityAfterEdits: 2, discountMinor: 300 })];
    expect(eligibleAmountOf(lines, false)).toBe(1_800);
  });

  it("never lets a line go below zero", () => {
    expect(eligibleAmountOf([line({ unitPriceMinor: 100, discountMinor: 500 }), line({ unitPriceMinor: 1_000 })], false)).toBe(1_000);
  });

  it("refuses a total past the largest amount, though each price is within it", () => {
    const price = MAX_AMOUNT_MINOR - 1;
    expect(eligibleAmountOf([line({ unitPriceMinor: MAX_AMOUNT_MINOR })], false)).toBe(MAX_AMOUNT_MINOR);
    expect(() => eligibleAmountOf([line({ unitPriceMinor: price, quantity: 1_000_000, quantityAfterEdits: 1_000_000 })], false)).toThrow(MoneyFormatError);
    expect(() => eligibleAmountOf([line({ unitPriceMinor: price }), line({ unitPriceMinor: price })], false)).toThrow(/out of range/);
  });
});

describe("refundFactOf", () => {
  it("takes nothing back for a refunded tip", () => {
    const refunded = [{ subtotalMinor: 2_000, taxMinor: 100, giftCard: false, tip: false }, { subtotalMinor: 5_000, taxMinor: 0, giftCard: false, tip: true }];
    expect(refundFactOf(1n, 2n, refunded, 2)).toMatchObject({ subtotalMinor: 2_000, taxMinor: 100 });
  });

  it("refuses refunded amounts that add up past the largest amount", () => {
    const refundLine = { subtotalMinor: MAX_AMOUNT_MINOR, taxMinor: 0, giftCard: false, tip: false };
    expect(refundFactOf(1n, 2n, [refundLine], 2).subtotalMinor).toBe(MAX_AMOUNT_MINOR);
    expect(() => refundFactOf(1n, 2n, [refundLine, refundLine], 2)).toThrow(MoneyFormatError);
  });
});

describe("orderPoints", () => {
  it("credits a paid order", () => {
    expect(pointsAfter([paid(12_345)])).toBe(123);
  });

  it("credits nothing before payment, or for a guest", () => {
    expect(pointsAfter([edited(10_000, 2_000)])).toBe(0);
    expect(pointsAfter([paid(10_000, { customerId: null })])).toBe(0);
  });

  it("reverses points in proportion to a partial refund, flooring what the order keeps", () => {
    expect(pointsAfter([paid(10_000), refund(1, 3_000)])).toBe(70);
    expect(pointsAfter([paid(8_550), refund(1, 2_000)])).toBe(65);
    // 64.99 earned 64; after refunding 19.99 the order keeps what 45.00 earns
    expect(pointsAfter([paid(6_499), refund(1, 1_999)])).toBe(45);
    expect(pointsAfter([paid(1_999), refund(1, 999), refund(2, 999)])).toBe(0);
  });

  it("applies the rate fixed at payment, tier multiplier included, to what is kept", () => {
    const gold: OrderEvent = { kind: "paid", order: version(10_000), rate: earningRate(DEFAULT_PROGRAM.earning, 150) };
    expect(pointsAfter([gold, refund(1, 5_000)])).toBe(75);
  });

  it("excludes refunded tax when prices include tax", () => {
    expect(pointsAfter([paid(10_000, { taxesIncluded: true }), refund(1, 5_650, 650)])).toBe(50);
  });

  it("never takes back more than the order earned", () => {
    expect(pointsAfter([paid(10_000), refund(1, 8_000), refund(2, 8_000)])).toBe(0);
  });

  it("reverses the rest on cancellation, and a later refund changes nothing", () => {
    expect(pointsAfter([paid(10_000), refund(1, 3_000), cancelled()])).toBe(0);
    expect(pointsAfter([paid(10_000), cancelled(), refund(1, 3_000)])).toBe(0);
  });

  it("adjusts to an edit's new eligible amount, keeping refunds proportional", () => {
    expect(pointsAfter([paid(10_000), edited(6_000, 2_000)])).toBe(60);
    expect(pointsAfter([paid(10_000), refund(1, 2_000), edited(6_000, 2_000)])).toBe(40);
  });

  it("keeps the newest version when an older edit arrives late", () => {
    expect(pointsAfter([paid(10_000), edited(6_000, 3_000), edited(8_000, 2_000)])).toBe(60);
  });

  it("counts a refund that arrives before its order once the order is paid", () => {
    expect(pointsAfter([refund(1, 3_000), paid(10_000)])).toBe(70);
  });

  it("keeps amounts with more decimals than the currency exact until the one floor", () => {
    // 10.00 paid (2 decimals), 0.001 refunded (3 decimals): 9.999 kept → 9, not 10.
    expect(pointsAfter([paid(1_000), refund(1, 1, 0, 3)])).toBe(9);
    // 12.999 (3 decimals) − 0.9995 refunded (4) = 11.9995 → 11; a refund cut to 0.999 would give 12.
    expect(pointsAfter([paid(12_999, { amountExponent: 3 }), refund(1, 9_995, 0, 4)])).toBe(11);
  });
});

describe("the order's customer", () => {
  const customerAfter = (events: OrderEvent[]) => events.reduce(mergeOrderEvent, emptyOrderFacts(ORDER)).customerId;
  const reassigned = (customerId: bigint | null, updatedAt: number): OrderEvent => ({ kind: "updated", order: version(10_000, { customerId, updatedAt }) });

  it("is the one the newest version naming a customer names, whatever the arrival order", () => {
    const events = [paid(10_000), reassigned(8n, 2_000), reassigned(null, 3_000)];
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]]) expect(customerAfter(order.map((i) => events[i]))).toBe(8n);
  });

  it("decides two versions with one updated_at on content", () => {
    expect(customerAfter([reassigned(8n, 2_000), reassigned(9n, 2_000)])).toBe(customerAfter([reassigned(9n, 2_000), reassigned(8n, 2_000)]));
  });
});

describe("merging deliveries (property)", () => {
  // A random life of one order in one of these currencies (ISO 4217 exponents 2, 2, 0, 3, 2):
  // paid, some edits, some refunds, maybe a cancellation; a refund may carry one more decimal
  // than the currency has (Shopify should not, but no digit it sends is dropped).
  const currencies = { HUF: 2, IDR: 2, JPY: 0, KWD: 3, USD: 2 } as const;
  const orderLife = fc
    .record({
      currency: fc.constantFrom(...(Object.keys(currencies) as (keyof typeof currencies)[])),
      extraDigit: fc.boolean(),
      eligible: fc.integer({ min: 0, max: 5_000_000 }),
      taxesIncluded: fc.boolean(),
      edits: fc.array(
        fc.record({
          eligible: fc.integer({ min: 0, max: 5_000_000 }),
          at: fc.integer({ min: 1_001, max: 9_999 }),
          // An edit may give the order another customer, or name none.
          customerId: fc.option(fc.constantFrom(7n, 8n, 9n)),
        }),
        { maxLength: 3 },
      ),
      refunds: fc.array(fc.record({ subtotal: fc.integer({ min: 0, max: 2_000_000 }), tax: fc.integer({ min: 0, max: 200_000 }) }), { maxLength: 4 }),
      cancelAt: fc.option(fc.integer({ min: 1_001, max: 9_999 })),
      points: fc.integer({ min: 0, max: 100 }),
      perMajorUnits: fc.integer({ min: 1, max: 20 }),
      multiplierPct: fc.integer({ min: 100, max: 300 }),
    })
    .map((life) => {
      const exponent = currencies[life.currency];
      const order = { currency: life.currency, amountExponent: exponent, taxesIncluded: life.taxesIncluded };
      const events: OrderEvent[] = [
        {
          kind: "paid",
          order: version(life.eligible, order),
          rate: { points: life.points, perMajorUnits: life.perMajorUnits, multiplierPct: life.multiplierPct },
        },
        ...life.edits.map((edit) => ({
          kind: "updated" as const,
          order: version(edit.eligible, { ...order, updatedAt: edit.at, customerId: edit.customerId }),
        })),
        ...life.refunds.map((r, i) => (life.extraDigit && i === 0 ? refund(i + 1, r.subtotal * 10 + 7, r.tax * 10, exponent + 1) : refund(i + 1, r.subtotal, r.tax, exponent))),
      ];
      if (life.cancelAt !== null) {
        events.push({ kind: "cancelled", order: version(0, { ...order, cancelled: true, updatedAt: life.cancelAt }) });
      }
      return events;
    });

  /** The same events with every amount written with `extra` more (zero) decimals. */
  const finer = (events: OrderEvent[], extra: number): OrderEvent[] =>
    events.map((event) => {
      const scale = 10 ** extra;
      if (event.kind === "refund") {
        const { subtotalMinor, taxMinor, amountExponent } = event.refund;
        return { ...event, refund: { ...event.refund, subtotalMinor: subtotalMinor * scale, taxMinor: taxMinor * scale, amountExponent: amountExponent + extra } };
      }
      return { ...event, order: { ...event.order, eligibleMinor: event.order.eligibleMinor * scale, amountExponent: event.order.amountExponent + extra } };
    });

  it("earns the same however many (zero) decimals the amounts are written with", () => {
    fc.assert(
      fc.property(orderLife, fc.integer({ min: 1, max: 3 }), (events, extra) => {
        expect(pointsAfter(finer(events, extra))).toBe(pointsAfter(events));
      }),
      { numRuns: 300 },
    );
  });

  it("ends at the in-order result whatever the order and number of deliveries", () => {
    fc.assert(
      fc.property(
        orderLife.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray([...events, ...events, ...events], { minLength: events.length * 3, maxLength: events.length * 3 }),
          ),
        ),
        ([inOrder, shuffledWithDuplicates]) => {
          expect(pointsAfter(shuffledWithDuplicates)).toBe(pointsAfter(inOrder));
          const customer = (events: OrderEvent[]) => events.reduce(mergeOrderEvent, emptyOrderFacts(ORDER)).customerId;
          expect(customer(shuffledWithDuplicates)).toBe(customer(inOrder));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("never credits a negative amount or more than the order earned when paid", () => {
    fc.assert(
      fc.property(orderLife, (events) => {
        const points = pointsAfter(events);
        const full = pointsAfter(events.filter((event) => event.kind === "paid"));
        expect(points).toBeGreaterThanOrEqual(0);
        if (!events.some((event) => event.kind === "updated")) expect(points).toBeLessThanOrEqual(full);
      }),
      { numRuns: 300 },
    );
  });
});
