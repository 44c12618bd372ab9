// Tiers are versioned with the program: an order earns under the multiplier its tier had in the
// version in force when it was placed, however late its webhook arrives and whatever the merchant
// changed since; the tier recalculation corrects the first guess to it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { requestTierRecalc } from "~/jobs/tier-jobs.server";
import { saveTier } from "~/loyalty/tier-settings.server";
import { tierMultiplierAt, tierThresholdAt } from "~/loyalty/program-versions";
import { runDueJobs } from "../support/jobs";
import { balanceOf, balancesMatchLedger } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { adminApiStandIn } from "../support/shopify-admin-api";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "tier-versions-shop.myshopify.com";
const DAY = 86_400_000;
const shopify = adminApiStandIn();
beforeAll(() => shopify.listen());
afterAll(() => shopify.close());

const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

async function deliver(id: number, customer: number, dollars: number, placedAt: Date) {
  const at = placedAt.toISOString();
  const payload = { ...orderPayload({ id, customer: { id: customer }, lines: [{ price: `${dollars}.00` }], updatedAt: at }), processed_at: at, created_at: at };
  expect((await deliverWebhook("orders/paid", payload, { shop: SHOP })).status).toBe(200);
}

async function recalc() {
  await requestTierRecalc(db, SHOP);
  await runDueJobs(db);
}

describe("versioned tiers", () => {
  it("a late webhook for an order placed before a multiplier changed earns under the old multiplier", async () => {
    await deliverWebhook("customers/create", { id: 9_100_999, email: "v@example.com" }, { shop: SHOP });
    const created = await saveTier(db, SHOP, null, { name: "Gold", thresholdPoints: 100, multiplierPercent: 200 }, { actor: "test", now: daysAgo(10) });
    if (!created.ok) throw new Error("Gold was not saved");
    const customer = 9_100_001;
    await deliver(9_110_001, customer, 150, daysAgo(5));
    await recalc();
    expect(await balanceOf(db, customer, SHOP)).toBe(150);

    // The merchant raises Gold's multiplier yesterday; an order placed three days ago arrives now.
    expect(await saveTier(db, SHOP, created.tierId, { name: "Gold", thresholdPoints: 100, multiplierPercent: 300 }, { actor: "test", now: daysAgo(1) })).toMatchObject({ ok: true });
    await deliver(9_110_002, customer, 100, daysAgo(3));
    await recalc();
    const placedBefore = await db.orderSnapshot.findUniqueOrThrow({ where: { shopDomain_orderId: { shopDomain: SHOP, orderId: 9_110_002n } } });
    expect(placedBefore).toMatchObject({ earnMultiplierPct: 200, pointsCredited: 200n });

    // An order placed after the change earns under the new one; running again changes nothing.
    await deliver(9_110_003, customer, 100, new Date());
    await recalc();
    await recalc();
    expect(await balanceOf(db, customer, SHOP)).toBe(150 + 200 + 300);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("a raised threshold does not take the tier from orders placed before the change, late webhooks included", async () => {
    const shop = "tier-thresholds-shop.myshopify.com";
    const send = async (id: number, dollars: number, placedAt: Date) => {
      const at = placedAt.toISOString();
      const payload = { ...orderPayload({ id, customer: { id: 9_200_001 }, lines: [{ price: `${dollars}.00` }], updatedAt: at }), processed_at: at, created_at: at };
      expect((await deliverWebhook("orders/paid", payload, { shop })).status).toBe(200);
    };
    const recalcShop = async () => {
      await requestTierRecalc(db, shop);
      await runDueJobs(db);
    };
    const multiplierOf = async (orderId: bigint) => (await db.orderSnapshot.findUniqueOrThrow({ where: { shopDomain_orderId: { shopDomain: shop, orderId } } })).earnMultiplierPct;
    await deliverWebhook("customers/create", { id: 9_200_999, email: "t@example.com" }, { shop });
    const gold = await saveTier(db, shop, null, { name: "Gold", thresholdPoints: 100, multiplierPercent: 200 }, { actor: "test", now: daysAgo(10) });
    if (!gold.ok) throw new Error("Gold was not saved");
    await send(9_210_001, 150, daysAgo(5));
    await send(9_210_002, 100, daysAgo(3));
    await recalcShop();
    expect(await multiplierOf(9_210_002n)).toBe(200);

    // Yesterday the merchant raised Gold to 1,000 points; an order placed two days ago arrives now.
    expect(await saveTier(db, shop, gold.tierId, { name: "Gold", thresholdPoints: 1_000, multiplierPercent: 200 }, { actor: "test", now: daysAgo(1) })).toMatchObject({ ok: true });
    await send(9_210_003, 100, daysAgo(2));
    // And one placed now, under the new threshold (350 points so far: below it).
    await send(9_210_004, 100, new Date());
    await recalcShop();
    await recalcShop();
    expect([await multiplierOf(9_210_001n), await multiplierOf(9_210_002n), await multiplierOf(9_210_003n), await multiplierOf(9_210_004n)]).toEqual([100, 200, 200, 100]);
    expect(await balanceOf(db, 9_200_001, shop)).toBe(150 + 200 + 200 + 100);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("reads the multiplier from the version in force, the current one for a tier that version did not know or without versioned tiers", () => {
    const versions = [
      { version: 1, effectiveAtMs: 0, tiers: [] },
      { version: 2, effectiveAtMs: 1_000, tiers: [{ id: 7, multiplierPercent: 150 }] },
      { version: 3, effectiveAtMs: 2_000, tiers: [{ id: 7, multiplierPercent: 200 }] },
      { version: 4, effectiveAtMs: 2_000, tiers: [{ id: 7, multiplierPercent: 250 }] },
    ];
    expect(tierMultiplierAt(versions, 500, 7, 300)).toBe(300);
    expect(tierMultiplierAt(versions, 1_500, 7, 300)).toBe(150);
    // Two saves at one instant: the later one.
    expect(tierMultiplierAt(versions, 2_000, 7, 300)).toBe(250);
    expect(tierMultiplierAt([{ version: 1, effectiveAtMs: 0, tiers: null }], 5_000, 7, 300)).toBe(300);
    expect(tierMultiplierAt([], 5_000, 7, 300)).toBe(300);
    const thresholds = [
      { version: 1, effectiveAtMs: 1_000, tiers: [{ id: 7, multiplierPercent: 150, thresholdPoints: 100 }] },
      { version: 2, effectiveAtMs: 2_000, tiers: [{ id: 7, multiplierPercent: 150, thresholdPoints: 1_000 }] },
    ];
    expect([tierThresholdAt(thresholds, 1_500, 7, 5_000), tierThresholdAt(thresholds, 2_500, 7, 5_000), tierThresholdAt(thresholds, 500, 7, 5_000)]).toEqual([100, 1_000, 5_000]);
  });
});
