// After a balance change, the member's summary reaches the customer metafield the theme
// extension paints from; a failed write loses nothing and is retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { syncCustomerSummaries } from "~/shopify/customer-summary-sync.server";
import { storeOfflineSession } from "../support/admin-session";
import { balanceOf, memberOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { adminApiStandIn, shopifyIsDown, shopifySucceeds, TEST_SHOP_GID, type GraphqlCall } from "../support/shopify-admin-api";
import { orderPayload, refundPayload } from "../support/shopify-payloads";

const SHOP = "summary-shop.myshopify.com";
const shopify = adminApiStandIn();

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.calls.length = 0;
  shopify.answerWith(shopifySucceeds);
});

/** metafieldsSet calls writing metafields with this key ("summary" on customers, "program" on the shop). */
const writesOf = (key: string) =>
  shopify.calls.filter((call) => call.query.includes("metafieldsSet") && (call.variables.metafields as { key: string }[]).every((m) => m.key === key));
const summaryWrites = () => writesOf("summary");
const programWrites = () => writesOf("program");

async function pendingCount() {
  const members = await db.member.findMany({ where: { shopDomain: SHOP } });
  return members.filter((member) => member.summaryVersion > member.summarySyncedVersion).length;
}

describe("customer summary metafield", () => {
  it("writes the member's balance and referral link to $app:tally.summary after an order", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_001, customer: { id: 1_200_001 }, lines: [{ price: "42.00" }] }), { shop: SHOP });
    expect(await pendingCount()).toBe(1);

    expect(await syncCustomerSummaries(SHOP)).toEqual({ written: 1, program: "written", noSession: false, failed: false });
    expect(summaryWrites()).toHaveLength(1);
    const [call] = summaryWrites();
    expect(call.shop).toBe(SHOP);
    expect(call.accessToken).toBe("totally_real_token");
    expect(call.query).toContain("metafieldsSet");
    const [metafield] = call.variables.metafields as { ownerId: string; namespace: string; key: string; type: string; value: string }[];
    expect(metafield).toMatchObject({ ownerId: "gid://shopify/Customer/1200001", namespace: "$app:tally", key: "summary", type: "json" });
    const member = await memberOf(db, 1_200_001, SHOP);
    expect(JSON.parse(metafield.value)).toMatchObject({
      balance: 42,
      pendingBalance: 0,
      lifetimeEarned: 42,
      tier: null,
      nextTier: null,
      progress: null,
      referralUrl: `https://${SHOP}/?ref=${member!.referralCode}`,
    });
    expect(await pendingCount()).toBe(0);
  });

  it("rewrites both members' summaries when an order changes customer", async () => {
    const order = { id: 1_100_040, customer: { id: 1_200_040 }, lines: [{ price: "25.00" }] };
    await deliverWebhook("orders/paid", orderPayload(order), { shop: SHOP });
    await syncCustomerSummaries(SHOP);
    shopify.calls.length = 0;

    await deliverWebhook("orders/updated", orderPayload({ ...order, customer: { id: 1_200_041 }, updatedAt: "2026-11-21T09:00:00-05:00" }), { shop: SHOP });
    expect(await pendingCount()).toBe(2);
    expect((await syncCustomerSummaries(SHOP)).written).toBe(2);
    const written = summaryWrites().flatMap((call) => call.variables.metafields as { ownerId: string; value: string }[]);
    const balanceOn = (customer: number) => JSON.parse(written.find((metafield) => metafield.ownerId === `gid://shopify/Customer/${customer}`)!.value).balance;
    expect([balanceOn(1_200_040), balanceOn(1_200_041)]).toEqual([0, 25]);
  });

  it("keeps points and retries when Shopify is down", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_002, customer: { id: 1_200_002 }, lines: [{ price: "80.00" }] }), { shop: SHOP });
    await deliverWebhook("refunds/create", refundPayload({ id: 1_100_102, orderId: 1_100_002, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] }), { shop: SHOP });
    shopify.answerWith(shopifyIsDown);
    const failed = await syncCustomerSummaries(SHOP);
    expect(failed.failed).toBe(true);
    expect(await balanceOf(db, 1_200_002, SHOP)).toBe(60);
    expect(await pendingCount()).toBe(1);

    shopify.answerWith(shopifySucceeds);
    expect((await syncCustomerSummaries(SHOP)).written).toBe(1);
    const last = summaryWrites().at(-1)!;
    const [metafield] = last.variables.metafields as { value: string }[];
    expect(JSON.parse(metafield.value).balance).toBe(60);
    expect(await pendingCount()).toBe(0);
  });

  it("retries only the summaries Shopify refused", async () => {
    for (const [i, price] of ["10.00", "20.00"].entries()) {
      await deliverWebhook("orders/paid", orderPayload({ id: 1_100_010 + i, customer: { id: 1_200_010 + i }, lines: [{ price }] }), { shop: SHOP });
    }
    shopify.answerWith((call: GraphqlCall) => {
      if (!call.query.includes("metafieldsSet") || (call.variables.metafields as { key: string }[])[0]?.key !== "summary") return shopifySucceeds(call);
      const count = (call.variables.metafields as unknown[]).length;
      return Response.json({
        data: { metafieldsSet: { metafields: [], userErrors: count > 1 ? [{ field: ["metafields", "1", "value"], message: "Value is invalid", code: "INVALID_VALUE" }] : [] } },
      });
    });
    expect(await syncCustomerSummaries(SHOP)).toMatchObject({ written: 1, failed: true });
    expect(await pendingCount()).toBe(1);
    expect((await syncCustomerSummaries(SHOP)).written).toBe(1);
    expect(await pendingCount()).toBe(0);
  });

  it("waits without calling Shopify while the shop has no offline session", async () => {
    const other = "no-session-shop.myshopify.com";
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_020, customer: { id: 1_200_020 }, lines: [{ price: "10.00" }] }), { shop: other });
    expect(await syncCustomerSummaries(other)).toEqual({ written: 0, program: "skipped", noSession: true, failed: false });
    expect(shopify.calls).toHaveLength(0);
    expect(await balanceOf(db, 1_200_020, other)).toBe(10);
  });

  it("writes the public program to the shop metafield $app:tally.program once, and again when it changes", async () => {
    shopify.calls.length = 0;
    // Written by the first test's sync; nothing changed since.
    expect((await syncCustomerSummaries(SHOP)).program).toBe("unchanged");
    expect(programWrites()).toHaveLength(0);

    await db.tier.create({ data: { shopDomain: SHOP, name: "Gold", thresholdPoints: 500, multiplierPercent: 150 } });
    expect((await syncCustomerSummaries(SHOP)).program).toBe("written");
    const [write] = programWrites();
    const [metafield] = write.variables.metafields as { ownerId: string; namespace: string; key: string; type: string; value: string }[];
    expect(metafield).toMatchObject({ ownerId: TEST_SHOP_GID, namespace: "$app:tally", key: "program", type: "json" });
    const program = JSON.parse(metafield.value);
    expect(program).toMatchObject({ earning: { points: 1, perMajorUnits: 1 }, rewards: [{ costPoints: 500, amount: "5.00" }] });
    expect(program.tiers).toEqual([expect.objectContaining({ name: "Gold", thresholdPoints: 500 })]);
    // The shop's id was asked for once and kept.
    expect(shopify.calls.filter((call) => call.query.includes("ShopFacts"))).toHaveLength(0);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).shopifyGid).toBe(TEST_SHOP_GID);
  });

  it("retries the program metafield when Shopify refuses it", async () => {
    await db.tier.create({ data: { shopDomain: SHOP, name: "Platinum", thresholdPoints: 2000, multiplierPercent: 200 } });
    shopify.answerWith(shopifyIsDown);
    expect((await syncCustomerSummaries(SHOP)).program).toBe("failed");
    shopify.answerWith(shopifySucceeds);
    expect((await syncCustomerSummaries(SHOP)).program).toBe("written");
    expect((await syncCustomerSummaries(SHOP)).program).toBe("unchanged");
  });

  it("writes on its own shortly after a balance change, without the webhook waiting for it", async () => {
    vi.stubEnv("SUMMARY_SYNC_DELAY_MS", "20");
    vi.resetModules(); // the routes and the sync module, loaded again with automatic writes on
    try {
      shopify.calls.length = 0;
      const response = await deliverWebhook("orders/paid", orderPayload({ id: 1_100_030, customer: { id: 1_200_030 }, lines: [{ price: "12.00" }] }), { shop: SHOP });
      expect(response.status).toBe(200);
      await vi.waitFor(async () => expect(await pendingCount()).toBe(0), { timeout: 5_000, interval: 50 });
      const written = summaryWrites().flatMap((call) => call.variables.metafields as { ownerId: string; value: string }[]);
      expect(written.find((metafield) => metafield.ownerId === "gid://shopify/Customer/1200030")).toBeDefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
