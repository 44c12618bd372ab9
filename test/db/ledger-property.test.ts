// Property: random lives of orders (paid, edits, refunds, cancellation, the customer changed by
// an edit), delivered duplicated and reordered through the real ledger and database, end with
// every member's balance equal to the in-order result and to the sum of their ledger entries,
// and no member ever below zero.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { sql } from "~/sql.server";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import { emptyOrderFacts, mergeOrderEvent, orderPoints, type OrderEvent } from "~/loyalty/order";
import { earningRate } from "~/loyalty/earning";
import { dueReleases, releasePendingPoints } from "~/loyalty/pending-points.server";
import { DEFAULT_PROGRAM } from "~/loyalty/program";
import { verifyLedger } from "~/loyalty/verify.server";
import { balanceOf, balancesMatchLedger } from "../support/ledger-queries";
import { TEST_SHOP } from "../../dev/simulator/shopify-signing";

// Ids past 2^53, as in Shopify's sample payloads: they must stay exact through both databases.
let nextOrder = 820_982_911_946_154_508n;
let nextCustomer = 115_310_627_314_723_954n;

// ISO 4217 exponents: forints and rupiahs have two decimals (Intl shows none), yen none, dinars three.
const CURRENCIES = { HUF: 2, IDR: 2, JPY: 0, KWD: 3, USD: 2 } as const;
type Currency = keyof typeof CURRENCIES;

const life = fc.record({
  currency: fc.constantFrom(...(Object.keys(CURRENCIES) as Currency[])),
  // The first refund sent with one decimal more than the currency has: kept, not dropped.
  extraDigit: fc.boolean(),
  eligible: fc.integer({ min: 0, max: 500_000 }),
  // Index of the order's customer among the run's customers.
  customer: fc.nat(2),
  // An edit may give the order another customer, or name none (says nothing about it).
  edits: fc.array(
    fc.record({
      eligible: fc.integer({ min: 0, max: 500_000 }),
      at: fc.integer({ min: 2, max: 50 }),
      customer: fc.option(fc.nat(2), { freq: 2 }),
    }),
    { maxLength: 2 },
  ),
  refunds: fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 3 }),
  cancelAt: fc.option(fc.integer({ min: 2, max: 50 }), { freq: 4 }),
});

type LifeSpec = typeof life extends fc.Arbitrary<infer T> ? T : never;

function deliveriesFor(orderId: bigint, customers: readonly bigint[], spec: LifeSpec): OrderDelivery[] {
  const exponent = CURRENCIES[spec.currency];
  const version = (eligibleMinor: number, at: number, cancelled = false, customerId: bigint | null = customers[spec.customer]) => ({
    orderId,
    customerId,
    currency: spec.currency,
    updatedAt: at * 1_000,
    taxesIncluded: false,
    cancelled,
    eligibleMinor,
    amountExponent: exponent,
  });
  const deliveries: OrderDelivery[] = [
    { kind: "paid", order: version(spec.eligible, 1) },
    ...spec.edits.map((edit) => ({
      kind: "updated" as const,
      order: version(edit.eligible, edit.at, false, edit.customer === null ? null : customers[edit.customer]),
    })),
    ...spec.refunds.map((subtotal, i) => {
      const extra = spec.extraDigit && i === 0 ? 1 : 0;
      const subtotalMinor = extra ? subtotal * 10 + 3 : subtotal;
      return {
        kind: "refund" as const,
        refund: { refundId: orderId + 1_000_000n * BigInt(i + 1), orderId, subtotalMinor, taxMinor: 0, amountExponent: exponent + extra },
        currency: spec.currency,
      };
    }),
  ];
  if (spec.cancelAt !== null) deliveries.push({ kind: "cancelled", order: version(0, spec.cancelAt, true) });
  return deliveries;
}

/** What one in-order delivery of each event leaves: the order's points, and who holds them. */
function inOrder(deliveries: OrderDelivery[]): { customerId: bigint | null; points: number } {
  const rate = earningRate(DEFAULT_PROGRAM.earning);
  const events = deliveries.map((d): OrderEvent => (d.kind === "paid" ? { kind: "paid", order: d.order, rate } : d.kind === "refund" ? { kind: "refund", refund: d.refund } : { kind: d.kind, order: d.order }));
  const facts = events.reduce(mergeOrderEvent, emptyOrderFacts(0n));
  return { customerId: facts.customerId, points: orderPoints(facts) };
}

/** Members whose balance or pending balance, read off their ledger rows in order, ever went below zero. */
async function membersEverNegative(shop = TEST_SHOP): Promise<number[]> {
  const rows = await db.ledgerEntry.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" }, select: { memberId: true, delta: true, status: true } });
  const running = new Map<string, bigint>();
  const negative = new Set<number>();
  for (const { memberId, delta, status } of rows) {
    const key = `${memberId}:${status}`;
    const balance = (running.get(key) ?? 0n) + delta;
    running.set(key, balance);
    if (balance < 0n) negative.add(memberId);
  }
  return [...negative];
}

function shuffle<T>(items: T[], randomness: Iterable<number>): T[] {
  const source = randomness[Symbol.iterator]();
  return items
    .map((item) => ({ item, key: source.next().value as number }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

describe("ledger (property, real database)", () => {
  it("ends at the in-order balance with balance = Σ ledger, whatever the delivery order and duplicates", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(life, { minLength: 1, maxLength: 3 }),
        fc.infiniteStream(fc.nat()),
        fc.boolean(),
        async (orders, randomness, parallel) => {
          const customers = [nextCustomer++, nextCustomer++, nextCustomer++];
          const expected = new Map(customers.map((customerId) => [customerId, 0]));
          const all: OrderDelivery[] = [];
          for (const spec of orders) {
            const deliveries = deliveriesFor(nextOrder++, customers, spec);
            const { customerId, points } = inOrder(deliveries);
            if (customerId !== null) expected.set(customerId, expected.get(customerId)! + points);
            all.push(...deliveries, ...deliveries.filter((_, i) => i % 2 === 0));
          }
          const shuffled = shuffle(all, randomness);
          const deliver = (delivery: OrderDelivery) => recordOrderEvent(db, sql(), TEST_SHOP, delivery, "test");
          if (parallel) await Promise.all(shuffled.map(deliver));
          else for (const delivery of shuffled) await deliver(delivery);

          for (const [customerId, points] of expected) expect((await balanceOf(db, customerId)) ?? 0).toBe(points);
          expect(await balancesMatchLedger(db)).toEqual([]);
          expect(await membersEverNegative()).toEqual([]);
          // `npm run verify` agrees with whatever these deliveries left.
          expect((await verifyLedger(db, { shop: TEST_SHOP })).mismatches).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("with a pending period, ends at the in-order points split exactly between pending and balance, whatever runs between the releases", async () => {
    const shop = "pending-property.myshopify.com";
    await recordOrderEvent(db, sql(), shop, { kind: "refund", refund: { refundId: 1n, orderId: 1n, subtotalMinor: 0, taxMinor: 0, amountExponent: 2 }, currency: null }, "test");
    const stored = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
    await db.shop.update({ where: { domain: shop }, data: { program: JSON.stringify({ ...JSON.parse(stored.program), pendingDays: 14 }) } });
    const afterPeriod = () => new Date(Date.now() + 15 * 86_400_000);
    const release = async () => {
      for (const order of await dueReleases(db, afterPeriod(), 1000)) await releasePendingPoints(db, order, afterPeriod());
    };
    await fc.assert(
      fc.asyncProperty(fc.array(life, { minLength: 1, maxLength: 3 }), fc.infiniteStream(fc.nat()), fc.nat(3), async (orders, randomness, releases) => {
        const customers = [nextCustomer++, nextCustomer++, nextCustomer++];
        const expected = new Map(customers.map((customerId) => [customerId, 0]));
        const steps: (OrderDelivery | "release")[] = Array.from({ length: releases }, () => "release" as const);
        for (const spec of orders) {
          const deliveries = deliveriesFor(nextOrder++, customers, spec);
          const { customerId, points } = inOrder(deliveries);
          if (customerId !== null) expected.set(customerId, expected.get(customerId)! + points);
          steps.push(...deliveries, ...deliveries.filter((_, i) => i % 2 === 0));
        }
        for (const step of shuffle(steps, randomness)) {
          if (step === "release") await release();
          else await recordOrderEvent(db, sql(), shop, step, "test");
        }
        const held = async (customerId: bigint) => {
          const member = await db.member.findUnique({ where: { shopDomain_customerId: { shopDomain: shop, customerId } } });
          return { balance: Number(member?.balance ?? 0), pending: Number(member?.pendingBalance ?? 0) };
        };
        for (const [customerId, points] of expected) {
          const { balance, pending } = await held(customerId);
          expect(balance + pending).toBe(points);
        }
        expect(await balancesMatchLedger(db)).toEqual([]);
        expect(await membersEverNegative(shop)).toEqual([]);
        await release();
        for (const [customerId, points] of expected) expect(await held(customerId)).toEqual({ balance: points, pending: 0 });
        expect((await verifyLedger(db, { shop })).mismatches).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});
