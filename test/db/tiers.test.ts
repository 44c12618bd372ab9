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
});
