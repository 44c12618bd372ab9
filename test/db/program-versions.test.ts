// Every save is a program version, and an order earns under the version in force at its
// processed_at, whenever its webhook arrives: before or after later saves, in any order, twice.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { pointsForAmount, earningRate } from "~/loyalty/earning";
import { recordOrderEvent, type OrderDelivery } from "~/loyalty/ledger.server";
import { DEFAULT_PROGRAM, type EarningRule } from "~/loyalty/program";
import { programSettingsOf, saveProgramSettings } from "~/loyalty/program-settings.server";
import { earningRuleAt, type EarningVersion } from "~/loyalty/program-versions";
import { programHistory } from "~/loyalty/program-versions.server";
import { ensureShop } from "~/loyalty/shops.server";
import { inTransaction } from "~/loyalty/transaction.server";
import { sql } from "~/sql.server";
import { balancesMatchLedger } from "../support/ledger-queries";

const DAY = 86_400_000;
const START = Date.parse("2026-03-01T00:00:00Z");
let nextOrder = 5_100_000_000n;
let run = 0;

async function freshShop(domain: string) {
  await inTransaction(db, (tx) => ensureShop(tx, domain, "USD"));
}

async function saveEarning(domain: string, earning: EarningRule, at: number) {
  const shop = await inTransaction(db, (tx) => ensureShop(tx, domain));
  const result = await saveProgramSettings(db, domain, { ...programSettingsOf(shop.program), earning }, { actor: "test", now: new Date(at) });
  expect(result.ok).toBe(true);
}

function paid(orderId: bigint, customerId: bigint, dollars: number, processedAt: number | null): OrderDelivery {
  return {
    kind: "paid",
    order: { orderId, customerId, currency: "USD", updatedAt: processedAt ?? START, taxesIncluded: false, cancelled: false, eligibleMinor: dollars * 100, amountExponent: 2, processedAt },
  };
}

async function pointsOf(domain: string, orderId: bigint) {
  const snapshot = await db.orderSnapshot.findUniqueOrThrow({ where: { shopDomain_orderId: { shopDomain: domain, orderId } } });
  return Number(snapshot.pointsCredited);
}

describe("program versions", () => {
  it("credits a late webhook under the rules in force when the order was placed", async () => {
    const shop = "versions-late.myshopify.com";
    await freshShop(shop);
    await saveEarning(shop, { points: 2, perMajorUnits: 1 }, START + 10 * DAY);
    await saveEarning(shop, { points: 3, perMajorUnits: 2 }, START + 20 * DAY);

    // Placed before the first save (its webhook arrives only now), between the saves, after both.
    await recordOrderEvent(db, sql(), shop, paid(1n, 9n, 57, START + 5 * DAY), "test");
    await recordOrderEvent(db, sql(), shop, paid(2n, 9n, 57, START + 15 * DAY), "test");
    await recordOrderEvent(db, sql(), shop, paid(3n, 9n, 57, START + 25 * DAY), "test");
    expect([await pointsOf(shop, 1n), await pointsOf(shop, 2n), await pointsOf(shop, 3n)]).toEqual([57, 114, 85]);

    // A duplicate delivery after yet another save changes nothing.
    await saveEarning(shop, { points: 10, perMajorUnits: 1 }, START + 30 * DAY);
    await recordOrderEvent(db, sql(), shop, paid(1n, 9n, 57, START + 5 * DAY), "test");
    expect(await pointsOf(shop, 1n)).toBe(57);

    const history = await programHistory(db, shop);
    expect(history.map((version) => [version.version, version.change, version.earning.points])).toEqual([
      [4, "program", 10],
      [3, "program", 3],
      [2, "program", 2],
      [1, "initial", 1],
    ]);
    expect(history.at(-1)!.effectiveAt).toBe(new Date(0).toISOString());
  });

  it("uses the current program for a shop whose merchant never saved, and the delivery time without processed_at", async () => {
    const shop = "versions-never-saved.myshopify.com";
    await freshShop(shop);
    await recordOrderEvent(db, sql(), shop, paid(11n, 9n, 40, START), "test");
    expect(await pointsOf(shop, 11n)).toBe(40);
    await saveEarning(shop, { points: 5, perMajorUnits: 1 }, Date.now() - 1_000);
    await recordOrderEvent(db, sql(), shop, paid(12n, 9n, 40, null), "test");
    expect(await pointsOf(shop, 12n)).toBe(200);
  });

  it("holds an order's points for the pending period of the version it was placed under", async () => {
    const shop = "versions-pending.myshopify.com";
    await freshShop(shop);
    const now = Date.now();
    const settings = (await inTransaction(db, (tx) => ensureShop(tx, shop))).program;
    expect((await saveProgramSettings(db, shop, { ...programSettingsOf(settings), pendingDays: 30 }, { actor: "test", now: new Date(now - 10 * DAY) })).ok).toBe(true);
    // Placed 20 days ago (before the pending period existed), its webhook only now: available.
    await recordOrderEvent(db, sql(), shop, paid(21n, 9n, 25, now - 20 * DAY), "test");
    // Placed 5 days ago, under the 30-day period: pending, even though its webhook is late too.
    await recordOrderEvent(db, sql(), shop, paid(22n, 9n, 40, now - 5 * DAY), "test");
    const member = await db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId: 9n } });
    expect([Number(member.balance), Number(member.pendingBalance)]).toEqual([25, 40]);
  });

  it("credits nothing for an order placed while the program was off, even when its webhook comes after it is back on", async () => {
    const shop = "versions-switch.myshopify.com";
    await freshShop(shop);
    const { setProgramEnabled } = await import("~/loyalty/dashboard.server");
    await setProgramEnabled(db, shop, false);
    const offSince = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await setProgramEnabled(db, shop, true);
    // Placed while off (its webhook only now), and placed before the switch: 0 and 30.
    await recordOrderEvent(db, sql(), shop, paid(31n, 9n, 30, offSince + 1), "test");
    await recordOrderEvent(db, sql(), shop, paid(32n, 9n, 30, offSince - DAY), "test");
    expect([await pointsOf(shop, 31n), await pointsOf(shop, 32n)]).toEqual([0, 30]);
  });

  it("refuses a save over a newer version and keeps the program", async () => {
    const shop = "versions-stale.myshopify.com";
    await freshShop(shop);
    const settings = programSettingsOf(DEFAULT_PROGRAM);
    const first = await saveProgramSettings(db, shop, { ...settings, signupPoints: 50 }, { actor: "a", expectedVersion: 1 });
    expect(first).toMatchObject({ ok: true, version: 2 });
    const second = await saveProgramSettings(db, shop, { ...settings, signupPoints: 75 }, { actor: "b", expectedVersion: 1 });
    expect(second).toEqual({ ok: false, stale: true, currentVersion: 2 });
    const stored = await inTransaction(db, (tx) => ensureShop(tx, shop));
    expect(stored.program.signupPoints).toBe(50);
    expect(stored.programVersion).toBe(2);
  });

  it("earns each order under the version in force at its processed_at, for any saves and any arrival order (property)", async () => {
    const rule = fc.record({ points: fc.integer({ min: 0, max: 20 }), perMajorUnits: fc.integer({ min: 1, max: 10 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 60 }), earning: rule }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 70 }), cents: fc.integer({ min: 1, max: 100_000 }) }), { minLength: 1, maxLength: 6 }),
        fc.infiniteStream(fc.nat()),
        async (saves, orders, randomness) => {
          const shop = `versions-property-${++run}.myshopify.com`;
          await freshShop(shop);
          const saveTimes = saves.map((save, i) => ({ ...save, at: START + save.day * DAY + i })).sort((a, b) => a.at - b.at);
          for (const save of saveTimes) await saveEarning(shop, save.earning, save.at);
          const versions: EarningVersion[] = saveTimes.map((save, i) => ({ version: i + 2, effectiveAtMs: save.at, earning: save.earning }));
          versions.push({ version: 1, effectiveAtMs: 0, earning: DEFAULT_PROGRAM.earning });

          const customerId = 5_900_000n + BigInt(run);
          const deliveries = orders.map((order) => {
            const orderId = (nextOrder += 1n);
            const processedAt = START + order.day * DAY + 500;
            const delivery: OrderDelivery = {
              kind: "paid",
              order: { orderId, customerId, currency: "USD", updatedAt: processedAt, taxesIncluded: false, cancelled: false, eligibleMinor: order.cents, amountExponent: 2, processedAt },
            };
            const expected = pointsForAmount(order.cents, 2, earningRate(earningRuleAt(versions, processedAt, DEFAULT_PROGRAM.earning)));
            return { orderId, delivery, expected };
          });
          const source = randomness[Symbol.iterator]();
          const shuffled = [...deliveries, ...deliveries.slice(0, 2)].map((d) => ({ d, key: source.next().value as number })).sort((a, b) => a.key - b.key);
          for (const { d } of shuffled) await recordOrderEvent(db, sql(), shop, d.delivery, "test");

          for (const { orderId, expected } of deliveries) expect(await pointsOf(shop, orderId)).toBe(expected);
          const member = await db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId } });
          expect(Number(member.balance)).toBe(deliveries.reduce((sum, d) => sum + d.expected, 0));
        },
      ),
      { numRuns: 20 },
    );
    expect(await balancesMatchLedger(db)).toEqual([]);
  }, 180_000);
});
