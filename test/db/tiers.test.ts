// VIP tiers through the real webhooks and jobs: an order earns under the tier held when it was
// placed (processed_at), so deliveries in the wrong order are corrected by the recalculation job.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { requestTierRecalc } from "~/jobs/tier-jobs.server";
import { saveTier } from "~/loyalty/tier-settings.server";
import { runDueJobs } from "../support/jobs";
import { balanceOf, balancesMatchLedger, ledgerOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "tier-route-shop.myshopify.com";

/**
 * A customer's paid orders in a shop of its own, each placed (processed_at) at 10:00 UTC on a
 * day of `month` in 2026; their member; and a run of the tier recalculation.
 */
function customerOrders(shop: string, customer: number, month: number) {
  return {
    member: () => db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId: BigInt(customer) } }),
    send: async (id: number, dollars: number, day: number) => {
      const at = `2026-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}T10:00:00Z`;
      const payload = { ...orderPayload({ id, customer: { id: customer }, lines: [{ price: `${dollars}.00` }], updatedAt: at }), processed_at: at, created_at: at };
      expect((await deliverWebhook("orders/paid", payload, { shop })).status).toBe(200);
    },
    recalc: async () => {
      await requestTierRecalc(db, shop);
      await runDueJobs(db);
    },
  };
}

describe("VIP tiers", () => {
  it("corrects orders delivered out of order to the tier held when each was placed", async () => {
    const customer = { id: 3_900_001 };
    const first = { id: 3_910_001, customer, lines: [{ price: "100.00" }], updatedAt: "2026-03-01T10:00:00Z" };
    const second = { id: 3_910_002, customer, lines: [{ price: "200.00" }], updatedAt: "2026-03-02T10:00:00Z" };
    const placed = (spec: typeof first, at: string) => ({ ...orderPayload(spec), processed_at: at, created_at: at });
    // The shop exists once a webhook named it; then it adds Gold (100 points, ×1.5).
    await deliverWebhook("customers/create", { id: 3_900_999, email: "x@example.com" }, { shop: SHOP });
    await db.tier.create({ data: { shopDomain: SHOP, name: "Gold", thresholdPoints: 100, multiplierPercent: 150 } });

    // The second order's webhook comes first: at delivery it is guessed at no tier, the first at Gold.
    await deliverWebhook("orders/paid", placed(second, "2026-03-02T10:00:00Z"), { shop: SHOP });
    await deliverWebhook("orders/paid", placed(first, "2026-03-01T10:00:00Z"), { shop: SHOP });
    expect(await balanceOf(db, customer.id, SHOP)).toBe(200 + 150);

    await requestTierRecalc(db, SHOP);
    await runDueJobs(db);
    // In order: the first earns 100 (no tier yet), the second 300 (Gold from the first).
    expect(await balanceOf(db, customer.id, SHOP)).toBe(100 + 300);
    expect((await ledgerOf(db, customer.id, SHOP)).filter((entry) => entry.kind === "tier_adjustment").map((entry) => entry.delta).sort()).toEqual([-50, 100]);
    const member = await db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: BigInt(customer.id) } });
    expect(member.tierPending).toBe(false);
    expect(member.tierId).not.toBeNull();
    // Running it again changes nothing.
    await requestTierRecalc(db, SHOP);
    await runDueJobs(db);
    expect(await balanceOf(db, customer.id, SHOP)).toBe(400);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("leaves an order counted in order to the delivery, the tier it reaches too, and flags the member when it comes late", async () => {
    const shop = "tier-skip-shop.myshopify.com";
    const customer = 3_950_001;
    const { member, send, recalc } = customerOrders(shop, customer, 4);
    await deliverWebhook("customers/create", { id: 3_950_999, email: "skip@example.com" }, { shop });
    await db.tier.create({ data: { shopDomain: shop, name: "Gold", thresholdPoints: 100, multiplierPercent: 150 } });

    // A new member's first order: nothing counted before it, nothing reached.
    await send(3_960_001, 60, 1);
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 60n, tierLastPlacedMs: BigInt(Date.parse("2026-04-01T10:00:00Z")) });
    // A member from before the column (unknown: null) is left to the recalculation once.
    await db.member.updateMany({ where: { shopDomain: shop, customerId: BigInt(customer) }, data: { tierLastPlacedMs: null } });
    await send(3_960_006, 5, 1);
    expect((await member()).tierPending).toBe(true);
    await recalc();
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 65n, tierLastPlacedMs: BigInt(Date.parse("2026-04-01T10:00:00Z")) });

    // In order and short of Gold: nothing for the recalculation to decide.
    await send(3_960_002, 30, 2);
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 95n, tierId: null, tierLastPlacedMs: BigInt(Date.parse("2026-04-02T10:00:00Z")) });

    // Reaching Gold (no entry perks): the delivery moves the member to it, with its Flow trigger.
    await send(3_960_003, 20, 3);
    const gold = await member();
    expect(gold).toMatchObject({ tierPending: false, tierActivity: 115n });
    expect(gold.tierId).not.toBeNull();
    const tierChanges = () => db.flowEvent.findMany({ where: { shopDomain: shop, trigger: "tally-tier-changed" }, select: { payload: true } });
    expect((await tierChanges()).map((event) => JSON.parse(event.payload))).toEqual([{ customer_id: customer, Tier: "Gold", "Previous tier": "" }]);
    // The recalculation agrees: nothing left to change.
    await recalc();
    expect(await member()).toMatchObject({ tierId: gold.tierId, tierActivity: 115n, summaryVersion: gold.summaryVersion });
    expect(await tierChanges()).toHaveLength(1);

    // In order under Gold: earns ×1.5 at delivery, nothing flagged.
    await send(3_960_004, 10, 5);
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 125n });
    // Placed before the last one counted: flagged.
    await send(3_960_005, 10, 4);
    expect((await member()).tierPending).toBe(true);
    await recalc();
    expect(await balanceOf(db, customer, shop)).toBe(60 + 5 + 30 + 20 + 15 + 15);
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 135n });
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("leaves a tier with entry perks reached in order to the recalculation, which grants them", async () => {
    const shop = "tier-perk-skip-shop.myshopify.com";
    const customer = 3_995_001;
    const { member, send, recalc } = customerOrders(shop, customer, 6);
    await deliverWebhook("customers/create", { id: 3_995_999, email: "perks@example.com" }, { shop });
    await db.tier.create({ data: { shopDomain: shop, name: "Silver", thresholdPoints: 50, multiplierPercent: 100 } });
    await db.tier.create({ data: { shopDomain: shop, name: "Gold", thresholdPoints: 100, multiplierPercent: 150, entryBonusPoints: 25 } });

    // Silver has no perks: the delivery moves the member to it.
    await send(4_010_001, 60, 1);
    const silver = await member();
    expect(silver).toMatchObject({ tierPending: false });
    expect(silver.tierId).not.toBeNull();
    // Gold has: reaching it is the recalculation's.
    await send(4_010_002, 60, 2);
    expect(await member()).toMatchObject({ tierPending: true, tierId: silver.tierId });
    await recalc();
    expect((await member()).tierPending).toBe(false);
    expect((await ledgerOf(db, customer, shop)).filter((entry) => entry.kind === "tier_bonus").map((entry) => entry.delta)).toEqual([25]);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("leaves an order placed before a save to the delivery when the tiers then decide as now, and flags it when they do not", async () => {
    const shop = "tier-version-skip-shop.myshopify.com";
    const customer = 3_990_001;
    const { member, send, recalc } = customerOrders(shop, customer, 5);
    await deliverWebhook("customers/create", { id: 3_990_999, email: "versions@example.com" }, { shop });
    // Gold saved on May 5th (×1.5), then made ×2 on May 20th.
    const gold = await saveTier(db, shop, null, { name: "Gold", thresholdPoints: 100, multiplierPercent: 150 }, { actor: "test", now: new Date("2026-05-05T00:00:00Z") });
    if (!gold.ok) throw new Error("Gold was refused");

    // Placed before Gold existed: a tier added since applies as it is, so its tier is decided as now.
    await send(4_000_001, 60, 1);
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 60n });
    await send(4_000_002, 60, 6);
    await recalc();
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 120n });

    expect(await saveTier(db, shop, gold.tierId, { name: "Gold", thresholdPoints: 100, multiplierPercent: 200 }, { actor: "test", now: new Date("2026-05-20T00:00:00Z") })).toMatchObject({ ok: true });
    await recalc();
    // Placed under ×1.5 (the version of May 5th): not what the tiers decide now, flagged.
    await send(4_000_003, 10, 10);
    expect((await member()).tierPending).toBe(true);
    await recalc();
    // Placed after the change: the delivery's guess is exact.
    await send(4_000_004, 10, 21);
    expect((await member()).tierPending).toBe(false);
    const earned = await db.orderSnapshot.findMany({ where: { shopDomain: shop }, orderBy: { orderId: "asc" }, select: { pointsCredited: true } });
    expect(earned.map((order) => Number(order.pointsCredited))).toEqual([60, 60, 15, 20]);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("flags an order placed in the same second as one counted when its id comes first (it is the earlier order)", async () => {
    const shop = "tier-same-instant-shop.myshopify.com";
    const customer = 3_970_001;
    const orders = customerOrders(shop, customer, 4);
    const { member, recalc } = orders;
    // Every order of this test is placed in the same second: 2026-04-01T10:00:00Z.
    const send = (id: number, dollars: number) => orders.send(id, dollars, 1);
    await deliverWebhook("customers/create", { id: 3_970_999, email: "same@example.com" }, { shop });
    await db.tier.create({ data: { shopDomain: shop, name: "Gold", thresholdPoints: 100, multiplierPercent: 150 } });

    // Three orders of one second, ids 1 < 2 < 3; the first and the last arrive first, reach Gold.
    await send(3_980_001, 60);
    await send(3_980_003, 60);
    await recalc();
    expect(await member()).toMatchObject({ tierPending: false, tierActivity: 120n });
    expect((await member()).tierId).not.toBeNull();
    // The second comes last: Shopify orders an instant's orders by id, so it was placed before
    // the third, under no tier (the first alone is 60).
    await send(3_980_002, 10);
    expect((await member()).tierPending).toBe(true);
    await recalc();
    const earned = await db.orderSnapshot.findMany({ where: { shopDomain: shop }, orderBy: { orderId: "asc" }, select: { pointsCredited: true } });
    expect(earned.map((order) => Number(order.pointsCredited))).toEqual([60, 10, 60]);
    expect(await balanceOf(db, customer, shop)).toBe(130);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });
});
