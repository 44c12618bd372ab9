// A redeem's answer lists the member's codes. With the per-worker cache on, the answer is built
// from the codes kept for the member plus the one just issued (no read), when nothing else moved
// the member's version; it must always be what a read of the database gives at that moment.
process.env.SHOP_CACHE_TTL_MS = "600000";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SHOP = "redeem-answer-cache.myshopify.com";
let nextOrder = 7_600_000;

describe("the redeem's answer with the member's codes kept per worker", async () => {
  const { default: db } = await import("~/db.server");
  const { sql } = await import("~/sql.server");
  const { memberExtras } = await import("~/loyalty/redemptions.server");
  const { storeOfflineSession } = await import("../support/admin-session");
  const { deliverWebhook, proxyGet, proxyPost } = await import("../support/routes");
  const { adminApiStandIn, shopifySucceeds } = await import("../support/shopify-admin-api");
  const { orderPayload } = await import("../../dev/simulator/shopify-payloads");
  const { runtimeEnv } = await import("~/runtime-env.server");
  const { commitProgramChange } = await import("~/loyalty/program-versions.server");

  const shopify = adminApiStandIn();
  beforeAll(async () => {
    shopify.listen();
    shopify.answerWith(shopifySucceeds);
    await storeOfflineSession(SHOP);
  });
  afterAll(() => shopify.close());

  const earn = async (customerId: number, dollars: number) => {
    const response = await deliverWebhook("orders/paid", orderPayload({ id: ++nextOrder, customer: { id: customerId }, lines: [{ price: `${dollars}.00` }] }), { shop: SHOP });
    expect(response.status).toBe(200);
  };
  /** What the database holds now, read past every cache. */
  const storedCodes = async (customerId: number) => {
    const member = await db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: BigInt(customerId) } });
    return (await memberExtras(sql(), member.id)).redemptions;
  };
  const redeemAnswer = async (customerId: number, rewardId: number) => {
    const response = await proxyPost("redeem", { rewardId }, { shop: SHOP, customerId });
    expect(response.status).toBe(200);
    return (await response.json()) as { redemption: { id: number }; member: { redemptions: unknown[]; summaryVersion: number } };
  };

  it("answers what the database holds, redeem after redeem, past the 60 codes shown", async () => {
    expect(runtimeEnv.shopCacheTtlMs).toBe(600_000);
    const customerId = 7_610_001;
    await earn(customerId, 40_000);
    await commitProgramChange(db, SHOP, { change: "program", actor: "test" }, async (_tx, program) => ({
      program: { ...program, redemption: { ...program.redemption, maxRedeemsPerHour: 1_000 } },
      result: null,
    }));
    const { id: rewardId } = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, costPoints: 500 } });
    const { id: creditId } = await db.reward.create({ data: { shopDomain: SHOP, title: "1.00 store credit", kind: "store_credit", costPoints: 100, amountMinor: 100 } });
    // The widget's read keeps the member's codes in this worker.
    await proxyGet("customer", { shop: SHOP, customerId });
    for (let i = 0; i < 64; i++) {
      const answer = await redeemAnswer(customerId, i % 5 === 4 ? creditId : rewardId);
      expect(answer.member.redemptions).toEqual(await storedCodes(customerId));
      expect(answer.member.redemptions[0]).toMatchObject({ id: answer.redemption.id });
    }
    // A read after them shows the same.
    const read = (await (await proxyGet("customer", { shop: SHOP, customerId })).json()) as { member: { redemptions: unknown[] } };
    expect(read.member.redemptions).toEqual(await storedCodes(customerId));
  });

  it("reads again when something else moved the member since the codes were kept", async () => {
    const customerId = 7_610_002;
    await earn(customerId, 3_000);
    const { id: rewardId } = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, costPoints: 500 } });
    await proxyGet("customer", { shop: SHOP, customerId });
    await redeemAnswer(customerId, rewardId);
    // A code issued outside this worker's sight: kept codes are now one version behind.
    const member = await db.member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: BigInt(customerId) } });
    const earlier = await db.redemption.findFirstOrThrow({ where: { memberId: member.id } });
    const { id: _id, ...copy } = earlier;
    await db.redemption.create({ data: { ...copy, code: "TALLY-ELSEWHERE2", status: "issued" } });
    await db.member.update({ where: { id: member.id }, data: { summaryVersion: { increment: 1 } } });
    await earn(customerId, 10);

    const answer = await redeemAnswer(customerId, rewardId);
    expect(answer.member.redemptions).toEqual(await storedCodes(customerId));
    expect(answer.member.redemptions).toContainEqual(expect.objectContaining({ code: "TALLY-ELSEWHERE2" }));
  });

  it("builds the answer from the kept codes, without reading them again", async () => {
    const customerId = 7_610_003;
    await earn(customerId, 3_000);
    const { id: rewardId } = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, costPoints: 500 } });
    const first = await redeemAnswer(customerId, rewardId);
    // Changed behind the cache's back (no version bump, as no real write does): only a read sees it.
    await db.redemption.update({ where: { id: first.redemption.id }, data: { title: "Changed unseen" } });
    const second = await redeemAnswer(customerId, rewardId);
    expect(second.member.redemptions.map((code) => (code as { title: string }).title)).not.toContain("Changed unseen");
    expect((await storedCodes(customerId)).map((code) => code.title)).toContain("Changed unseen");
  });
});
