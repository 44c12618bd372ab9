// VIP tiers through the real webhooks and jobs: an order earns under the tier held when it was
// placed (processed_at), so deliveries in the wrong order are corrected by the recalculation job.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { requestTierRecalc } from "~/jobs/tier-jobs.server";
import { runDueJobs } from "../support/jobs";
import { balanceOf, balancesMatchLedger, ledgerOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "tier-route-shop.myshopify.com";

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

  it("leaves an order counted in order to the delivery, and flags the member when it reaches a tier or comes late", async () => {
    const shop = "tier-skip-shop.myshopify.com";
    const customer = 3_950_001;
    const member = () => db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId: BigInt(customer) } });
    const send = async (id: number, dollars: number, day: number) => {
      const at = `2026-04-${String(day).padStart(2, "0")}T10:00:00Z`;
      const payload = { ...orderPayload({ id, customer: { id: customer }, lines: [{ price: `${dollars}.00` }], updatedAt: at }), processed_at: at, created_at: at };
      expect((await deliverWebhook("orders/paid", payload, { shop })).status).toBe(200);
    };
    const recalc = async () => {
      await requestTierRecalc(db, shop);
      await runDueJobs(db);
    };
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

    // Reaching Gold: flagged (the tier, its Flow trigger and perks are the recalculation's).
    await send(3_960_003, 20, 3);
    expect(await member()).toMatchObject({ tierPending: true, tierActivity: 115n });
    await recalc();
    expect((await member()).tierId).not.toBeNull();

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
});
