// POST /apps/tally/redeem through the signed app proxy, with Shopify stood in for at the HTTP
// boundary: every reward kind, every refusal, and every way Shopify can fail — points are never
// spent twice, never lost, and a reward never ends both issued and refunded.
import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { parseServerTiming } from "~/observability/step-times";
import { verifyLedger } from "~/loyalty/verify.server";
import { runtimeEnv } from "~/runtime-env.server";
import { settleShopRedemptions, expireShopCodes, EXPIRY_GRACE_MS } from "~/shopify/redemption-jobs.server";
import { storeOfflineSession } from "../support/admin-session";
import { balanceOf, balancesMatchLedger, ledgerOf, memberOf } from "../support/ledger-queries";
import { deliverWebhook, proxyGet, proxyPost } from "../support/routes";
import { adminApiStandIn, shopifySucceeds } from "../support/shopify-admin-api";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "redeem-shop.myshopify.com";
const shopify = adminApiStandIn();
let nextOrder = 7_100_000;
let nextCustomer = 7_200_000;

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.calls.length = 0;
  shopify.answerWith(shopifySucceeds);
  shopify.setReachable(true);
});

/** A new customer holding `points` (from a paid order of that many dollars). */
async function memberWith(points: number, shop = SHOP): Promise<number> {
  const customer = ++nextCustomer;
  if (points > 0) {
    const response = await deliverWebhook("orders/paid", orderPayload({ id: ++nextOrder, customer: { id: customer }, lines: [{ price: `${points}.00` }] }), { shop });
    expect(response.status).toBe(200);
  }
  return customer;
}

async function defaultRewardId(shop = SHOP): Promise<number> {
  const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: shop, kind: "fixed_amount", costPoints: 500 }, orderBy: { id: "asc" } });
  return reward.id;
}

async function addReward(data: Record<string, unknown>, shop = SHOP): Promise<number> {
  // The shop exists once a webhook named it.
  const reward = await db.reward.create({ data: { shopDomain: shop, title: "Reward", costPoints: 100, ...data } as never });
  return reward.id;
}

/** Runs `run` with the shop's hourly redeem limit set to `maxRedeemsPerHour`, then puts the program back. */
async function withHourlyLimit(maxRedeemsPerHour: number, run: () => Promise<void>): Promise<void> {
  const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
  const program = JSON.parse(shop.program);
  await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...program, redemption: { ...program.redemption, maxRedeemsPerHour } }) } });
  try {
    await run();
  } finally {
    await db.shop.update({ where: { domain: SHOP }, data: { program: shop.program } });
  }
}

const redeem = (customerId: number | null, body: unknown, shop = SHOP) => proxyPost("redeem", body, { shop, customerId });
const json = async (response: Response) => (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const discountCalls = () => shopify.calls.filter((call) => /discountCode(Basic|FreeShipping)Create/.test(call.query));

async function redemptionsOf(customerId: number, shop = SHOP) {
  const member = await memberOf(db, customerId, shop);
  return db.redemption.findMany({ where: { memberId: member!.id }, orderBy: { id: "asc" } });
}

describe("redeeming a reward for a discount code", () => {
  it("takes the points, creates a customer-only, single-use code in Shopify and answers with it", async () => {
    const customer = await memberWith(620);
    const rewardId = await defaultRewardId();

    const response = await redeem(customer, { rewardId });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.version).toBe(1);
    expect(body.redemption).toMatchObject({ rewardId, kind: "fixed_amount", status: "issued", amount: "5.00", currency: "USD", pointsSpent: 500, expiresAt: null });
    expect(body.redemption.code).toMatch(/^TALLY-[A-Z2-9]{10}$/);
    expect(body.member).toMatchObject({ balance: 120 });
    expect(body.member.redemptions).toEqual([body.redemption]);

    // What Shopify holds: the code, for this customer only, once, 5.00 off the order.
    const discount = shopify.shopify.discount(SHOP, body.redemption.code)!;
    expect(discount.kind).toBe("DiscountCodeBasic");
    expect(discount.input).toMatchObject({
      code: body.redemption.code,
      context: { customers: { add: [`gid://shopify/Customer/${customer}`] } },
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerGets: { value: { discountAmount: { amount: "5.00", appliesOnEachItem: false } }, items: { all: true } },
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
    });
    expect(discount.input).not.toHaveProperty("customerSelection");
    expect(String(discount.input.title)).toMatch(new RegExp(`^Tally #${body.redemption.id}: 5\\.00 off your order \\(customer ${customer}\\)$`));

    const ledger = await ledgerOf(db, customer, SHOP);
    expect(ledger.at(-1)).toEqual({ kind: "redeem", delta: -500, key: `redemption:${body.redemption.id}:redeem` });
    expect(await balancesMatchLedger(db)).toEqual([]);

    // The shopper's account shows the unused code.
    const view = await json(await proxyGet("customer", { shop: SHOP, customerId: customer }));
    expect(view.member.redemptions).toEqual([body.redemption]);
  });

  it("names how long each step took in Server-Timing, only when SERVER_TIMING is on", async () => {
    const customer = await memberWith(1_600);
    const rewardId = await defaultRewardId();
    expect((await redeem(customer, { rewardId })).headers.get("server-timing")).toBeNull();
    runtimeEnv.serverTiming = true;
    try {
      shopify.answerWith(async (call, admin) => {
        // Shopify takes its time, and the shopify step shows it.
        if (/discountCodeBasicCreate/.test(call.query)) await new Promise((resolve) => setTimeout(resolve, 60));
        return shopifySucceeds(call, admin);
      });
      const issued = await redeem(customer, { rewardId });
      expect(issued.status).toBe(200);
      const steps = parseServerTiming(issued.headers.get("server-timing"));
      expect(Object.keys(steps)).toEqual(["take", "shopify", "mark", "answer"]);
      expect(steps.shopify).toBeGreaterThanOrEqual(59);
      for (const ms of Object.values(steps)) expect(ms).toBeGreaterThanOrEqual(0);

      shopify.setReachable(false);
      const refused = await redeem(customer, { rewardId });
      expect(refused.status).toBe(503);
      expect(Object.keys(parseServerTiming(refused.headers.get("server-timing")))).toEqual(["take", "shopify", "return", "answer"]);
    } finally {
      runtimeEnv.serverTiming = false;
    }
  });

  it("issues every kind of reward as Shopify expects it", async () => {
    const customer = await memberWith(5_000);
    const variant = "gid://shopify/ProductVariant/44012345678";
    const kinds = [
      { data: { kind: "percentage", percentage: 15, title: "15% off", minimumSubtotalMinor: 5000, combinesWithShipping: true }, points: undefined },
      { data: { kind: "free_shipping", title: "Free shipping", codeExpiryDays: 30 }, points: undefined },
      { data: { kind: "free_product", title: "Free tote", variantGid: variant, amountMinor: 1800 }, points: undefined },
      { data: { kind: "variable", title: "1.00 off per 100 points", costPoints: 100, amountMinor: 100, minPoints: 200, maxPoints: 2000, stepPoints: 100 }, points: 700 },
      { data: { kind: "store_credit", title: "10.00 store credit", costPoints: 1000, amountMinor: 1000 }, points: undefined },
    ];
    const answers = [];
    for (const { data, points } of kinds) {
      const response = await redeem(customer, { rewardId: await addReward(data), ...(points ? { points } : {}) });
      expect(response.status, JSON.stringify(data)).toBe(200);
      answers.push((await json(response)).redemption);
    }
    const [percentage, shipping, product, variable, credit] = answers;

    expect(percentage).toMatchObject({ kind: "percentage", percentage: 15, amount: null, pointsSpent: 100 });
    expect(shopify.shopify.discount(SHOP, percentage.code)!.input).toMatchObject({
      customerGets: { value: { percentage: 0.15 }, items: { all: true } },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50.00" } },
      combinesWith: { shippingDiscounts: true },
    });

    expect(shipping.kind).toBe("free_shipping");
    expect(Date.parse(shipping.expiresAt) - Date.parse(shipping.createdAt)).toBe(30 * 86_400_000);
    const shippingDiscount = shopify.shopify.discount(SHOP, shipping.code)!;
    expect(shippingDiscount.kind).toBe("DiscountCodeFreeShipping");
    expect(shippingDiscount.input).toMatchObject({ destination: { all: true }, endsAt: shipping.expiresAt, usageLimit: 1 });

    expect(shopify.shopify.discount(SHOP, product.code)!.input).toMatchObject({
      customerGets: { value: { discountAmount: { amount: "18.00", appliesOnEachItem: false } }, items: { products: { productVariantsToAdd: [variant] } } },
    });

    expect(variable).toMatchObject({ kind: "variable", amount: "7.00", pointsSpent: 700 });
    expect(shopify.shopify.discount(SHOP, variable.code)!.input).toMatchObject({ customerGets: { value: { discountAmount: { amount: "7.00" } } } });

    expect(credit).toMatchObject({ kind: "store_credit", code: null, amount: "10.00", currency: "USD", pointsSpent: 1000, status: "issued" });
    expect(shopify.shopify.credits(SHOP, `gid://shopify/Customer/${customer}`)).toMatchObject([{ amount: "10.00", currencyCode: "USD" }]);

    expect(await balanceOf(db, customer, SHOP)).toBe(5_000 - 100 - 100 - 100 - 700 - 1000);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });
});

describe("refusals change nothing", () => {
  async function unchanged(customer: number, response: Promise<Response>, status: number, code: string) {
    const before = { balance: await balanceOf(db, customer, SHOP), ledger: (await ledgerOf(db, customer, SHOP)).length, redemptions: await db.redemption.count() };
    const answer = await response;
    expect(answer.status).toBe(status);
    const { error } = await json(answer);
    expect(error).toMatchObject({ code });
    expect({ balance: await balanceOf(db, customer, SHOP), ledger: (await ledgerOf(db, customer, SHOP)).length, redemptions: await db.redemption.count() }).toEqual(before);
    return { headers: answer.headers, message: error.message as string };
  }

  it("answers each bad request with its status and a JSON error", async () => {
    const customer = await memberWith(800);
    const rewardId = await defaultRewardId();
    await unchanged(customer, proxyPost("redeem", { rewardId }, { shop: SHOP, customerId: customer, secret: "forged" }), 401, "invalid_signature");
    await unchanged(customer, redeem(null, { rewardId }), 400, "not_signed_in");
    await unchanged(customer, proxyPost("redeem", null, { shop: SHOP, customerId: customer, rawBody: "{rewardId:" }), 400, "invalid_json");
    await unchanged(customer, redeem(customer, { rewardId: String(rewardId) }), 400, "invalid_body");
    await unchanged(customer, redeem(customer, { rewardId: 1e300 }), 400, "invalid_body");
    await unchanged(customer, redeem(customer, { rewardId, points: -5 }), 400, "invalid_body");
    // A huge number is told the endpoint's own bound, not JavaScript's largest safe integer.
    const huge = await unchanged(customer, redeem(customer, { rewardId, points: 1e300 }), 400, "invalid_body");
    expect(huge.message).toBe("points: Too big: expected number to be <=100000000");
    await unchanged(customer, redeem(customer, [rewardId]), 400, "invalid_body");
    await unchanged(customer, proxyPost("redeem", null, { shop: SHOP, customerId: customer, rawBody: JSON.stringify({ rewardId, pad: "x".repeat(20_000) }) }), 413, "body_too_large");
    await unchanged(customer, redeem(customer, { rewardId: 999_999 }), 404, "unknown_reward");
    // Another shop's reward is unknown here.
    await memberWith(10, "other-redeem-shop.myshopify.com");
    await unchanged(customer, redeem(customer, { rewardId: await defaultRewardId("other-redeem-shop.myshopify.com") }), 404, "unknown_reward");
    await unchanged(customer, redeem(customer, { rewardId: await addReward({ kind: "fixed_amount", amountMinor: 100, costPoints: 5_000 }) }), 409, "not_enough_points");
    await unchanged(customer, redeem(customer, { rewardId: await addReward({ kind: "fixed_amount", amountMinor: 100, enabled: false }) }), 422, "reward_unavailable");
    const variable = await addReward({ kind: "variable", costPoints: 100, amountMinor: 100, minPoints: 200, maxPoints: 500, stepPoints: 100 });
    await unchanged(customer, redeem(customer, { rewardId: variable, points: 600 }), 422, "reward_unavailable");
    await unchanged(customer, redeem(customer, { rewardId: variable, points: 250 }), 422, "reward_unavailable");
    await unchanged(customer, redeem(customer, { rewardId: variable }), 422, "reward_unavailable");
    await unchanged(customer, redeem(customer, { rewardId, points: 100 }), 422, "reward_unavailable");
    const tier = await db.tier.create({ data: { shopDomain: SHOP, name: "Gold", thresholdPoints: 10_000 } });
    await unchanged(customer, redeem(customer, { rewardId: await addReward({ kind: "fixed_amount", amountMinor: 100, tierId: tier.id }) }), 422, "reward_unavailable");
    await db.tier.delete({ where: { id: tier.id } });
    const get = await proxyGet("redeem", { shop: SHOP, customerId: customer });
    expect(get.status).toBe(405);
    expect(shopify.calls.filter((call) => !call.query.includes("metafieldsSet"))).toEqual([]);
  });

  it("limits how many rewards one customer redeems in an hour (429 with Retry-After)", async () => {
    const customer = await memberWith(3_000);
    const cheap = await addReward({ kind: "fixed_amount", amountMinor: 100, costPoints: 10 });
    await withHourlyLimit(3, async () => {
      for (let i = 0; i < 3; i++) expect((await redeem(customer, { rewardId: cheap })).status).toBe(200);
      const refused = await unchanged(customer, redeem(customer, { rewardId: cheap }), 429, "too_many_redeems");
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(3000);
      expect(refused.headers.get("Cache-Control")).toBe("no-store");
      // Another customer is not held back.
      expect((await redeem(await memberWith(100), { rewardId: cheap })).status).toBe(200);
    });
  });
});

describe("when Shopify fails", () => {
  it("does not count redeems Shopify did not issue toward the hourly limit", async () => {
    const customer = await memberWith(3_000);
    const cheap = await addReward({ kind: "fixed_amount", amountMinor: 100, costPoints: 10 });
    await withHourlyLimit(2, async () => {
      try {
        shopify.setReachable(false);
        for (let i = 0; i < 3; i++) expect((await redeem(customer, { rewardId: cheap })).status).toBe(503);
      } finally {
        shopify.setReachable(true);
      }
      for (let i = 0; i < 2; i++) expect((await redeem(customer, { rewardId: cheap })).status).toBe(200);
      const third = await redeem(customer, { rewardId: cheap });
      expect(third.status).toBe(429);
      expect((await json(third)).error.code).toBe("too_many_redeems");
      expect(await balanceOf(db, customer, SHOP)).toBe(3_000 - 2 * 10);
    });
  });

  it("returns the points when Shopify refuses the code (502), with a compensating ledger row", async () => {
    const customer = await memberWith(500);
    shopify.removeOwner(`gid://shopify/Customer/${customer}`);
    const response = await redeem(customer, { rewardId: await defaultRewardId() });
    expect(response.status).toBe(502);
    expect((await json(response)).error.code).toBe("shopify_failed");
    expect(await balanceOf(db, customer, SHOP)).toBe(500);
    const [redemption] = await redemptionsOf(customer);
    expect(redemption).toMatchObject({ status: "failed", pointsReturned: true });
    expect((await ledgerOf(db, customer, SHOP)).slice(-2).map((entry) => [entry.kind, entry.delta, entry.key])).toEqual([
      ["redeem", -500, `redemption:${redemption.id}:redeem`],
      ["redeem_refund", 500, `redemption:${redemption.id}:return`],
    ]);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("returns the points when Shopify cannot be reached (503)", async () => {
    const customer = await memberWith(500);
    shopify.setReachable(false);
    const response = await redeem(customer, { rewardId: await defaultRewardId() });
    expect(response.status).toBe(503);
    expect((await json(response)).error.code).toBe("shopify_unavailable");
    expect(await balanceOf(db, customer, SHOP)).toBe(500);
    expect((await redemptionsOf(customer))[0]).toMatchObject({ status: "failed", pointsReturned: true });
  });

  it("returns the points when the shop has no Admin API session (503)", async () => {
    const shop = "no-session-shop.myshopify.com";
    const customer = await memberWith(700, shop);
    const response = await redeem(customer, { rewardId: await defaultRewardId(shop) }, shop);
    expect(response.status).toBe(503);
    expect(await balanceOf(db, customer, shop)).toBe(700);
  });

  it("refuses a throttled call cleanly: nothing was created, points back", async () => {
    const customer = await memberWith(500);
    shopify.answerWith((call, admin) =>
      /discountCodeBasicCreate/.test(call.query)
        ? (HttpResponse.json({
            errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
            extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } } },
          }) as unknown as Response)
        : shopifySucceeds(call, admin),
    );
    const response = await redeem(customer, { rewardId: await defaultRewardId() });
    expect(response.status).toBe(503);
    expect(await balanceOf(db, customer, SHOP)).toBe(500);
    const [redemption] = await redemptionsOf(customer);
    expect(redemption).toMatchObject({ status: "failed", pointsReturned: true });
    expect(shopify.shopify.discount(SHOP, redemption.code!)).toBeUndefined();
  });

  it("settles a 5xx at once: looks the code up and creates it, one code, no points back", async () => {
    const customer = await memberWith(500);
    let failures = 0;
    shopify.answerWith((call, admin) => {
      if (/discountCodeBasicCreate/.test(call.query) && failures++ === 0) return new HttpResponse("Bad Gateway", { status: 502 }) as unknown as Response;
      return shopifySucceeds(call, admin);
    });
    const response = await redeem(customer, { rewardId: await defaultRewardId() });
    expect(response.status).toBe(200);
    const { redemption } = await json(response);
    expect(shopify.shopify.discount(SHOP, redemption.code)).toBeDefined();
    expect(discountCalls()).toHaveLength(2);
    expect(await balanceOf(db, customer, SHOP)).toBe(0);
  });

  it("settles an answer lost after Shopify created the code: found by its code, issued once", async () => {
    const customer = await memberWith(500);
    shopify.answerWith(async (call, admin) => {
      const answer = shopifySucceeds(call, admin);
      // Shopify did the work; the answer comes after the app stopped waiting (SHOPIFY_CALL_TIMEOUT_MS).
      if (/discountCodeBasicCreate/.test(call.query)) await new Promise((resolve) => setTimeout(resolve, 1_500));
      return answer;
    });
    const response = await redeem(customer, { rewardId: await defaultRewardId() });
    expect(response.status).toBe(200);
    const { redemption } = await json(response);
    expect(redemption.status).toBe("issued");
    expect(shopify.shopify.discount(SHOP, redemption.code)).toBeDefined();
    expect(discountCalls()).toHaveLength(1);
    expect(await balanceOf(db, customer, SHOP)).toBe(0);
    expect((await redemptionsOf(customer))[0]).toMatchObject({ status: "issued", pointsReturned: false, shopifyDiscountId: shopify.shopify.discount(SHOP, redemption.code)!.id });
  });

  it("takes a 200 whose errors say INTERNAL_SERVER_ERROR as an unknown outcome: a code Shopify made is found and issued, a credit waits for the account to be read", async () => {
    const customer = await memberWith(1_000);
    const internalError = { errors: [{ message: "Internal error. Looks like something went wrong on our end.", extensions: { code: "INTERNAL_SERVER_ERROR" } }] };
    // Shopify did the work, then failed answering: a 200 with errors and no data.
    shopify.answerWith(async (call, admin) => {
      const answer = shopifySucceeds(call, admin);
      return /discountCodeBasicCreate|storeCreditAccountCredit\(/.test(call.query) ? (HttpResponse.json(internalError) as unknown as Response) : answer;
    });
    const coded = await redeem(customer, { rewardId: await defaultRewardId() });
    expect(coded.status).toBe(200);
    const { redemption } = await json(coded);
    expect(shopify.shopify.discount(SHOP, redemption.code)).toBeDefined();
    expect((await redemptionsOf(customer))[0]).toMatchObject({ status: "issued", pointsReturned: false });

    // An error raised while the mutation's field ran (it has a path): it may have run, and it did.
    shopify.answerWith((call, admin) => {
      const answer = shopifySucceeds(call, admin);
      if (!/discountCodeBasicCreate/.test(call.query)) return answer;
      return HttpResponse.json({ errors: [{ message: "Something went wrong", path: ["discountCodeBasicCreate"] }], data: { discountCodeBasicCreate: null } }) as unknown as Response;
    });
    expect((await redeem(await memberWith(500), { rewardId: await defaultRewardId() })).status).toBe(200);
    // ACCESS_DENIED names the field too, but Shopify refused before running anything: points back.
    shopify.answerWith((call, admin) =>
      /discountCodeBasicCreate/.test(call.query)
        ? (HttpResponse.json({ errors: [{ message: "Access denied for discountCodeBasicCreate field.", path: ["discountCodeBasicCreate"], extensions: { code: "ACCESS_DENIED" } }], data: { discountCodeBasicCreate: null } }) as unknown as Response)
        : shopifySucceeds(call, admin),
    );
    const denied = await memberWith(500);
    expect((await redeem(denied, { rewardId: await defaultRewardId() })).status).toBe(503);
    expect(await balanceOf(db, denied, SHOP)).toBe(500);
    shopify.answerWith(async (call, admin) => {
      const answer = shopifySucceeds(call, admin);
      return /storeCreditAccountCredit\(/.test(call.query) ? (HttpResponse.json(internalError) as unknown as Response) : answer;
    });

    const credit = await redeem(customer, { rewardId: await addReward({ kind: "store_credit", title: "5.00 credit", amountMinor: 500, costPoints: 500 }) });
    expect(credit.status).toBe(202);
    expect(shopify.shopify.credits(SHOP, `gid://shopify/Customer/${customer}`)).toHaveLength(1);
    expect(await balanceOf(db, customer, SHOP)).toBe(0);
    shopify.answerWith(shopifySucceeds);
    await db.redemption.updateMany({ where: { shopDomain: SHOP, status: "pending" }, data: { settleAfter: 0n } });
    expect(await settleShopRedemptions(db, SHOP)).toMatchObject({ issued: 1, failed: 0 });
    expect(shopify.shopify.credits(SHOP, `gid://shopify/Customer/${customer}`)).toHaveLength(1);
    expect(await balanceOf(db, customer, SHOP)).toBe(0);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("keeps an unknown outcome pending (202) when Shopify goes away mid-call, and the job settles it once", async () => {
    const customer = await memberWith(500);
    shopify.answerWith(async (call, admin) => {
      const answer = shopifySucceeds(call, admin);
      if (/discountCodeBasicCreate/.test(call.query)) {
        shopify.setReachable(false); // the lookup that follows cannot connect
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      return answer;
    });
    const response = await redeem(customer, { rewardId: await defaultRewardId() });
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body.redemption).toMatchObject({ status: "pending", code: null });
    expect(body.member.balance).toBe(0);
    const job = await db.job.findUnique({ where: { key: `redemption-settle:${SHOP}` } });
    expect(job).not.toBeNull();

    // Not due yet: the job leaves it alone.
    shopify.setReachable(true);
    shopify.answerWith(shopifySucceeds);
    expect(await settleShopRedemptions(db, SHOP)).toMatchObject({ issued: 0, failed: 0 });
    // Due: settled by looking the code up; never created twice, never refunded.
    await db.redemption.updateMany({ where: { shopDomain: SHOP, status: "pending" }, data: { settleAfter: 0n } });
    expect(await settleShopRedemptions(db, SHOP)).toMatchObject({ issued: 1, failed: 0 });
    expect(await settleShopRedemptions(db, SHOP)).toMatchObject({ issued: 0, failed: 0 });
    const [redemption] = await redemptionsOf(customer);
    expect(redemption).toMatchObject({ status: "issued", pointsReturned: false });
    expect(shopify.shopify.discount(SHOP, redemption.code!)).toBeDefined();
    expect(discountCalls()).toHaveLength(1);
    expect(await balanceOf(db, customer, SHOP)).toBe(0);
  });

  it("settles a store credit whose answer was lost by reading the account, never crediting twice", async () => {
    const customer = await memberWith(2_000);
    const rewardId = await addReward({ kind: "store_credit", title: "5.00 credit", amountMinor: 500, costPoints: 500 });
    // First: Shopify credited, the answer is lost.
    shopify.answerWith(async (call, admin) => {
      const answer = shopifySucceeds(call, admin);
      if (/storeCreditAccountCredit\(/.test(call.query)) await new Promise((resolve) => setTimeout(resolve, 1_500));
      return answer;
    });
    expect((await redeem(customer, { rewardId })).status).toBe(202);
    // Second: Shopify failed before crediting, with a 503.
    shopify.answerWith((call, admin) =>
      /storeCreditAccountCredit\(/.test(call.query) ? (new HttpResponse("unavailable", { status: 503 }) as unknown as Response) : shopifySucceeds(call, admin),
    );
    expect((await redeem(customer, { rewardId })).status).toBe(202);
    expect(shopify.shopify.credits(SHOP, `gid://shopify/Customer/${customer}`)).toHaveLength(1);

    shopify.answerWith(shopifySucceeds);
    await db.redemption.updateMany({ where: { shopDomain: SHOP, status: "pending" }, data: { settleAfter: 0n } });
    expect(await settleShopRedemptions(db, SHOP)).toMatchObject({ issued: 2, failed: 0 });
    // One credit was found (the first), one was made (the second): two credits for two redemptions.
    const credits = shopify.shopify.credits(SHOP, `gid://shopify/Customer/${customer}`);
    expect(credits).toHaveLength(2);
    const redemptions = await redemptionsOf(customer);
    expect(redemptions.map((redemption) => redemption.status)).toEqual(["issued", "issued"]);
    expect(new Set(redemptions.map((redemption) => redemption.storeCreditTransactionId))).toEqual(new Set(credits.map((credit) => credit.id)));
    expect(await balanceOf(db, customer, SHOP)).toBe(1_000);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("returns the points of a pending redemption when the job learns Shopify refused it", async () => {
    const customer = await memberWith(500);
    shopify.answerWith(() => new HttpResponse("unavailable", { status: 503 }) as unknown as Response);
    expect((await redeem(customer, { rewardId: await defaultRewardId() })).status).toBe(202);
    shopify.removeOwner(`gid://shopify/Customer/${customer}`);
    shopify.answerWith(shopifySucceeds);
    await db.redemption.updateMany({ where: { shopDomain: SHOP, status: "pending" }, data: { settleAfter: 0n } });
    expect(await settleShopRedemptions(db, SHOP)).toMatchObject({ issued: 0, failed: 1 });
    expect(await balanceOf(db, customer, SHOP)).toBe(500);
    const [redemption] = await redemptionsOf(customer);
    expect(redemption).toMatchObject({ status: "failed", pointsReturned: true });
    expect(shopify.shopify.discount(SHOP, redemption.code!)).toBeUndefined();
  });
});

describe("concurrency", () => {
  it("20 parallel redeems of the last affordable reward issue exactly one code", async () => {
    const customer = await memberWith(500);
    const rewardId = await defaultRewardId();
    const responses = await Promise.all(Array.from({ length: 20 }, () => redeem(customer, { rewardId })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.every((status) => status === 200 || status === 409 || status === 429)).toBe(true);
    expect(await balanceOf(db, customer, SHOP)).toBe(0);
    expect(await redemptionsOf(customer)).toHaveLength(1);
    expect(discountCalls()).toHaveLength(1);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });
});

describe("after the code is issued", () => {
  async function issuedCode(customer: number, data?: Record<string, unknown>) {
    const rewardId = data ? await addReward(data) : await defaultRewardId();
    const response = await redeem(customer, { rewardId });
    expect(response.status).toBe(200);
    return (await json(response)).redemption as { id: number; code: string };
  }

  it("an order that uses the code marks it used; cancelling that order returns the points, once", async () => {
    const customer = await memberWith(500);
    const { id, code } = await issuedCode(customer);
    const order = { id: ++nextOrder, customer: { id: customer }, lines: [{ price: "20.00", discount: "5.00" }], discountCode: code.toLowerCase() };
    expect((await deliverWebhook("orders/paid", orderPayload(order), { shop: SHOP })).status).toBe(200);
    expect(await db.redemption.findUnique({ where: { id } })).toMatchObject({ status: "used", orderId: BigInt(order.id) });
    expect((await json(await proxyGet("customer", { shop: SHOP, customerId: customer }))).member.redemptions).toEqual([]);
    expect(await balanceOf(db, customer, SHOP)).toBe(15);

    const cancel = orderPayload({ ...order, cancelledAt: "2026-11-30T10:00:00Z", updatedAt: "2026-11-30T10:00:00Z" });
    for (let i = 0; i < 3; i++) expect((await deliverWebhook("orders/cancelled", cancel, { shop: SHOP, eventId: `cancel-${order.id}-${i}` })).status).toBe(200);
    expect(await db.redemption.findUnique({ where: { id } })).toMatchObject({ status: "returned", pointsReturned: true });
    // The order's 15 points are reversed; the reward's 500 come back.
    expect(await balanceOf(db, customer, SHOP)).toBe(500);
    expect((await ledgerOf(db, customer, SHOP)).filter((entry) => entry.kind === "redeem_refund")).toHaveLength(1);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("finds the code in discount_applications when discount_codes leaves it out", async () => {
    const customer = await memberWith(500);
    const { id, code } = await issuedCode(customer);
    const order = { id: ++nextOrder, customer: { id: customer }, lines: [{ price: "20.00", discount: "5.00" }], discountCode: code };
    expect((await deliverWebhook("orders/paid", { ...orderPayload(order), discount_codes: [] }, { shop: SHOP })).status).toBe(200);
    expect(await db.redemption.findUnique({ where: { id } })).toMatchObject({ status: "used", orderId: BigInt(order.id) });
  });

  it("an order paid and cancelled at once, its deliveries racing: every reward ends returned, its points back once", async () => {
    const customer = await memberWith(5_000);
    const codes = [];
    for (let i = 0; i < 10; i++) codes.push(await issuedCode(customer));
    await Promise.all(
      codes.map(async ({ code }) => {
        const order = { id: ++nextOrder, customer: { id: customer }, lines: [{ price: "20.00", discount: "5.00" }], discountCode: code };
        const cancel = orderPayload({ ...order, cancelledAt: "2026-11-30T10:00:00Z", updatedAt: "2026-11-30T10:00:00Z" });
        const answers = await Promise.all([
          deliverWebhook("orders/paid", orderPayload(order), { shop: SHOP }),
          deliverWebhook("orders/cancelled", cancel, { shop: SHOP, eventId: `cancel-${order.id}-a` }),
          deliverWebhook("orders/cancelled", cancel, { shop: SHOP, eventId: `cancel-${order.id}-b` }),
        ]);
        expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      }),
    );
    const redemptions = await db.redemption.findMany({ where: { id: { in: codes.map((code) => code.id) } } });
    expect(redemptions.map((redemption) => [redemption.status, redemption.pointsReturned])).toEqual(codes.map(() => ["returned", true]));
    expect(await balanceOf(db, customer, SHOP)).toBe(5_000);
    expect((await ledgerOf(db, customer, SHOP)).filter((entry) => entry.kind === "redeem_refund")).toHaveLength(10);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("a code used while the expiry job returns it: used and spent once, never both used and refunded", async () => {
    const customer = await memberWith(5_000);
    const codes = [];
    for (let i = 0; i < 10; i++) codes.push(await issuedCode(customer, { kind: "fixed_amount", amountMinor: 500, costPoints: 500, codeExpiryDays: 7 }));
    const afterExpiry = new Date(Date.now() + 7 * 86_400_000 + EXPIRY_GRACE_MS + 60_000);
    await Promise.all([
      expireShopCodes(db, SHOP, afterExpiry),
      ...codes.map(async ({ code }) => {
        const order = { id: ++nextOrder, customer: { id: customer }, lines: [{ price: "10.00", discount: "5.00" }], discountCode: code };
        expect((await deliverWebhook("orders/paid", orderPayload(order), { shop: SHOP })).status).toBe(200);
      }),
    ]);
    const redemptions = await db.redemption.findMany({ where: { id: { in: codes.map((code) => code.id) } } });
    expect(redemptions.map((redemption) => [redemption.status, redemption.pointsReturned])).toEqual(codes.map(() => ["used", false]));
    // Every reward spent once (a return and its respend cancel out), and each order earned 5.
    expect(await balanceOf(db, customer, SHOP)).toBe(50);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("keeps the points of a cancelled order's code when the merchant turned that off", async () => {
    const customer = await memberWith(500);
    const { id, code } = await issuedCode(customer);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const program = JSON.parse(shop.program);
    await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...program, redemption: { ...program.redemption, returnPointsForCancelledOrders: false } }) } });
    try {
      const order = { id: ++nextOrder, customer: { id: customer }, lines: [{ price: "20.00", discount: "5.00" }], discountCode: code };
      await deliverWebhook("orders/paid", orderPayload(order), { shop: SHOP });
      await deliverWebhook("orders/cancelled", orderPayload({ ...order, cancelledAt: "2026-11-30T10:00:00Z", updatedAt: "2026-11-30T10:00:00Z" }), { shop: SHOP });
      expect(await db.redemption.findUnique({ where: { id } })).toMatchObject({ status: "used", pointsReturned: false });
      expect(await balanceOf(db, customer, SHOP)).toBe(0);
    } finally {
      await db.shop.update({ where: { domain: SHOP }, data: { program: shop.program } });
    }
  });

  it("an expired, unused code returns its points; one Shopify counts as used is marked used instead", async () => {
    const unusedOwner = await memberWith(500);
    const usedOwner = await memberWith(500);
    const unused = await issuedCode(unusedOwner, { kind: "fixed_amount", amountMinor: 500, costPoints: 500, codeExpiryDays: 7 });
    const used = await issuedCode(usedOwner, { kind: "fixed_amount", amountMinor: 500, costPoints: 500, codeExpiryDays: 7 });
    shopify.shopify.useCode(SHOP, used.code);
    const afterExpiry = new Date(Date.now() + 7 * 86_400_000 + EXPIRY_GRACE_MS + 60_000);
    expect(await expireShopCodes(db, SHOP, new Date())).toMatchObject({ expired: 0, used: 0 });
    expect(await expireShopCodes(db, SHOP, afterExpiry)).toMatchObject({ expired: 1, used: 1 });
    expect(await expireShopCodes(db, SHOP, afterExpiry)).toMatchObject({ expired: 0, used: 0 });
    expect(await db.redemption.findUnique({ where: { id: unused.id } })).toMatchObject({ status: "expired", pointsReturned: true });
    expect(await db.redemption.findUnique({ where: { id: used.id } })).toMatchObject({ status: "used", pointsReturned: false });
    expect(await balanceOf(db, unusedOwner, SHOP)).toBe(500);
    expect(await balanceOf(db, usedOwner, SHOP)).toBe(0);

    // The order that used the expired code is paid late, after its points came back: spent again.
    const late = { id: ++nextOrder, customer: { id: unusedOwner }, lines: [{ price: "10.00", discount: "5.00" }], discountCode: unused.code };
    await deliverWebhook("orders/paid", orderPayload(late), { shop: SHOP });
    expect(await db.redemption.findUnique({ where: { id: unused.id } })).toMatchObject({ status: "used", pointsReturned: false });
    expect(await balanceOf(db, unusedOwner, SHOP)).toBe(5);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("a code returned as expired, used late, then its order cancelled: the points come back again, once", async () => {
    const customer = await memberWith(500);
    const { id, code } = await issuedCode(customer, { kind: "fixed_amount", amountMinor: 500, costPoints: 500, codeExpiryDays: 7 });
    const afterExpiry = new Date(Date.now() + 7 * 86_400_000 + EXPIRY_GRACE_MS + 60_000);
    expect(await expireShopCodes(db, SHOP, afterExpiry)).toMatchObject({ expired: 1 });
    const late = { id: ++nextOrder, customer: { id: customer }, lines: [{ price: "10.00", discount: "5.00" }], discountCode: code };
    expect((await deliverWebhook("orders/paid", orderPayload(late), { shop: SHOP })).status).toBe(200);
    expect(await balanceOf(db, customer, SHOP)).toBe(5);

    const cancel = orderPayload({ ...late, cancelledAt: "2026-11-30T10:00:00Z", updatedAt: "2026-11-30T10:00:00Z" });
    for (let i = 0; i < 2; i++) expect((await deliverWebhook("orders/cancelled", cancel, { shop: SHOP, eventId: `cancel-${late.id}-${i}` })).status).toBe(200);
    expect(await db.redemption.findUnique({ where: { id } })).toMatchObject({ status: "returned", pointsReturned: true });
    // The late order's 5 points are reversed; the reward's 500, spent again by that order, come back.
    expect(await balanceOf(db, customer, SHOP)).toBe(500);
    expect((await ledgerOf(db, customer, SHOP)).filter((entry) => entry.key.startsWith(`redemption:${id}:`)).map((entry) => [entry.delta, entry.key])).toEqual([
      [-500, `redemption:${id}:redeem`],
      [500, `redemption:${id}:return`],
      [-500, `redemption:${id}:respend`],
      [500, `redemption:${id}:return:2`],
    ]);
    expect(await balancesMatchLedger(db)).toEqual([]);
    expect((await verifyLedger(db, { shop: SHOP })).mismatches).toEqual([]);
  });
});
