// Shopify Flow triggers through the real webhooks, redemptions and jobs: recorded with what they
// tell of, sent once by the flow-triggers job with payloads Flow accepts for the app's trigger
// extensions (the stand-in checks each against extensions/tally-flow-*/shopify.extension.toml).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { requestTierRecalc } from "~/jobs/tier-jobs.server";
import { FLOW_TRIGGERS } from "~/loyalty/flow-events";
import { failRedemption, markIssued, startRedemption, isRedeemRefusal } from "~/loyalty/redemptions.server";
import { MAX_FLOW_ATTEMPTS, sendFlowTriggers } from "~/shopify/flow-triggers.server";
import { sql } from "~/sql.server";
import { storeOfflineSession } from "../support/admin-session";
import { runDueJobs } from "../support/jobs";
import { deliverWebhook } from "../support/routes";
import { adminApiStandIn, shopifyIsDown, shopifySucceeds } from "../support/shopify-admin-api";
import { customerCreatePayload, orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "flow-shop.myshopify.com";
const shopify = adminApiStandIn();

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
});
afterAll(() => shopify.close());
beforeEach(() => shopify.answerWith(shopifySucceeds));

const received = (handle: string) => shopify.shopify.flowTriggers.filter((trigger) => trigger.shop === SHOP && trigger.handle === handle).map((trigger) => trigger.payload);

describe("Shopify Flow triggers", () => {
  it("tells Flow of points earned on a paid order and of a signup bonus, once each, with the balance when sent", async () => {
    await deliverWebhook("customers/create", customerCreatePayload({ id: 6_100_000 }), { shop: SHOP });
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...JSON.parse(shop.program), signupPoints: 50 }) } });
    await deliverWebhook("customers/create", customerCreatePayload({ id: 6_100_001 }), { shop: SHOP });
    const paid = orderPayload({ id: 6_110_001, customer: { id: 6_100_001 }, lines: [{ price: "42.00" }] });
    await deliverWebhook("orders/paid", paid, { shop: SHOP });
    await deliverWebhook("orders/paid", paid, { shop: SHOP, webhookId: "another-delivery", eventId: "another-event" });

    expect(await sendFlowTriggers(SHOP)).toMatchObject({ sent: 2, refused: 0 });
    expect(received(FLOW_TRIGGERS.pointsEarned)).toEqual([
      { customer_id: 6_100_001, "Points earned": 50, "Earned for": "signup", "Points balance": 92 },
      { customer_id: 6_100_001, "Points earned": 42, "Earned for": "order", "Points balance": 92 },
    ]);
    // Nothing is sent twice.
    expect(await sendFlowTriggers(SHOP)).toMatchObject({ sent: 0 });
    expect(received(FLOW_TRIGGERS.pointsEarned)).toHaveLength(2);
  });

  it("tells Flow of a reward redeemed once Shopify issued it", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 6_110_002, customer: { id: 6_100_002 }, lines: [{ price: "600.00" }] }), { shop: SHOP });
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP } });
    const started = await startRedemption(db, sql(), { shopDomain: SHOP, customerId: 6_100_002n, rewardId: reward.id, points: undefined, actor: "test" });
    if (isRedeemRefusal(started)) throw new Error(started.message);
    expect(await db.flowEvent.count({ where: { shopDomain: SHOP, trigger: FLOW_TRIGGERS.rewardRedeemed } })).toBe(0);
    await markIssued(sql(), { ...started.redemption, customerId: started.customerId }, { shopifyDiscountId: "gid://shopify/DiscountCodeNode/1" });
    await markIssued(sql(), { ...started.redemption, customerId: started.customerId }, { shopifyDiscountId: "gid://shopify/DiscountCodeNode/1" });
    await sendFlowTriggers(SHOP);
    expect(received(FLOW_TRIGGERS.rewardRedeemed)).toEqual([{ customer_id: 6_100_002, Reward: reward.title, "Points spent": 500, "Discount code": started.redemption.code }]);
  });

  it("tells Flow nothing, and moves no summary, for a redemption that failed before Shopify's answer came", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 6_110_005, customer: { id: 6_100_005 }, lines: [{ price: "600.00" }] }), { shop: SHOP });
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP } });
    const started = await startRedemption(db, sql(), { shopDomain: SHOP, customerId: 6_100_005n, rewardId: reward.id, points: undefined, actor: "test" });
    if (isRedeemRefusal(started)) throw new Error(started.message);
    expect(await failRedemption(db, started.redemption.id, "test", "Shopify said no")).toBe(true);
    const member = () => db.member.findUniqueOrThrow({ where: { id: started.member.id } });
    const before = await member();
    expect(await markIssued(sql(), { ...started.redemption, customerId: started.customerId }, { shopifyDiscountId: "gid://shopify/DiscountCodeNode/2" })).toBeNull();
    expect((await member()).summaryVersion).toBe(before.summaryVersion);
    expect(await db.redemption.findUniqueOrThrow({ where: { id: started.redemption.id } })).toMatchObject({ status: "failed", shopifyDiscountId: null });
    expect(await db.flowEvent.count({ where: { shopDomain: SHOP, trigger: FLOW_TRIGGERS.rewardRedeemed, customerId: 6_100_005n } })).toBe(0);
  });

  it("tells Flow of a change of tier, through the recalculation and the jobs", async () => {
    await db.tier.create({ data: { shopDomain: SHOP, name: "Gold", thresholdPoints: 100, multiplierPercent: 100 } });
    await deliverWebhook("orders/paid", orderPayload({ id: 6_110_003, customer: { id: 6_100_003 }, lines: [{ price: "150.00" }] }), { shop: SHOP });
    await requestTierRecalc(db, SHOP);
    await runDueJobs(db);
    await sendFlowTriggers(SHOP);
    expect(received(FLOW_TRIGGERS.tierChanged)).toEqual([{ customer_id: 6_100_003, Tier: "Gold", "Previous tier": "" }]);
  });

  it("keeps a trigger when Shopify is down, and gives up on one Flow keeps refusing without holding up the rest", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 6_110_004, customer: { id: 6_100_004 }, lines: [{ price: "10.00" }] }), { shop: SHOP });
    shopify.answerWith(shopifyIsDown);
    await expect(sendFlowTriggers(SHOP)).rejects.toThrow();
    expect(await db.flowEvent.count({ where: { shopDomain: SHOP, sentAt: null } })).toBeGreaterThan(0);
    shopify.answerWith(shopifySucceeds);

    // A trigger Flow does not accept (here: one recorded with a field the extension lacks).
    const bad = await db.flowEvent.create({ data: { shopDomain: SHOP, trigger: FLOW_TRIGGERS.pointsEarned, customerId: 6_100_004n, payload: JSON.stringify({ customer_id: 6_100_004, "Points earned": 1, "Earned for": "order", Unknown: 1 }), idempotencyKey: "flow:test:bad" } });
    for (let attempt = 1; attempt <= MAX_FLOW_ATTEMPTS; attempt++) await sendFlowTriggers(SHOP);
    const given = await db.flowEvent.findUniqueOrThrow({ where: { id: bad.id } });
    expect(given.sentAt).toBeNull();
    expect(given.failedAt).not.toBeNull();
    expect(given.lastError).toContain("Unknown is not a field of the trigger");
    expect(await db.flowEvent.count({ where: { shopDomain: SHOP, sentAt: null, failedAt: null } })).toBe(0);
    expect(received(FLOW_TRIGGERS.pointsEarned).some((payload) => payload.customer_id === 6_100_004 && payload["Points earned"] === 10)).toBe(true);
  });

  it("sends several triggers at once, each once, and keeps what Shopify took when a call of the same group fails", async () => {
    await sendFlowTriggers(SHOP); // nothing left from the tests above
    const first = 6_120_000;
    for (let i = 0; i < 9; i++) {
      await deliverWebhook("orders/paid", orderPayload({ id: 6_130_000 + i, customer: { id: first + i }, lines: [{ price: `${i + 1}.00` }] }), { shop: SHOP });
    }
    let inFlight = 0;
    let mostInFlight = 0;
    const failing = first + 5; // in the second group of four
    shopify.answerWith(async (call, admin) => {
      // One trigger's call fails as if Shopify were down; the others are answered after a while.
      if ((call.variables.payload as { customer_id?: number } | undefined)?.customer_id === failing) return shopifyIsDown();
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return shopifySucceeds(call, admin);
    });
    await expect(sendFlowTriggers(SHOP)).rejects.toThrow();
    expect(mostInFlight).toBeGreaterThan(1);
    // The group with the failure: its other calls were taken by Shopify and are marked sent; the
    // group after it waits for the retry.
    const unsent = await db.flowEvent.findMany({ where: { shopDomain: SHOP, sentAt: null, failedAt: null }, select: { customerId: true } });
    expect(unsent.map((event) => Number(event.customerId)).sort()).toEqual([failing, first + 8]);

    shopify.answerWith(shopifySucceeds);
    await sendFlowTriggers(SHOP);
    const sent = received(FLOW_TRIGGERS.pointsEarned).filter((payload) => Number(payload.customer_id) >= first && Number(payload.customer_id) < first + 9);
    expect(sent.map((payload) => payload.customer_id).sort()).toEqual(Array.from({ length: 9 }, (_, i) => first + i));
    expect(await db.flowEvent.count({ where: { shopDomain: SHOP, sentAt: null, failedAt: null } })).toBe(0);
  });
});
