// The friend's side of a referral: claiming the offer of a member's link creates a single-use
// code in Shopify (5.00 off by default), restricted to the friend when signed in; fraud limits.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { VISITOR_CLAIMS_PER_CODE_PER_DAY } from "~/loyalty/friend-offers.server";
import { storeOfflineSession } from "../support/admin-session";
import { deliverWebhook, proxyGet, proxyPost } from "../support/routes";
import { adminApiStandIn, shopifySucceeds } from "../support/shopify-admin-api";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "friend-offer-shop.myshopify.com";
const shopify = adminApiStandIn();
let nextCustomer = 9_600_000;

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.answerWith(shopifySucceeds);
  shopify.setReachable(true);
});

const json = async (response: Response) => (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function referralCodeOf(customerId: number): Promise<string> {
  return ((await json(await proxyGet("customer", { shop: SHOP, customerId }))).member as { referralCode: string }).referralCode;
}

const claim = (code: string, customerId: number | null) => proxyPost("referral-offer", { code }, { shop: SHOP, customerId });

describe("friend offer", () => {
  it("gives a signed-in new customer a code for them alone, and the same code when they claim again", async () => {
    const code = await referralCodeOf(++nextCustomer);
    const friend = ++nextCustomer;
    const first = await claim(code.toLowerCase(), friend);
    expect(first.status).toBe(200);
    const { offer } = await json(first);
    expect(offer).toMatchObject({ status: "issued", amount: "5.00", code: expect.stringMatching(/^TALLY-/) });
    const discount = shopify.shopify.discount(SHOP, offer.code)!;
    expect(discount.input).toMatchObject({
      context: { customers: { add: [`gid://shopify/Customer/${friend}`] } },
      usageLimit: 1,
      customerGets: { value: { discountAmount: { amount: "5.00" } } },
    });
    expect(String(discount.input.title)).toContain(`referred by ${code}`);
    expect((await json(await claim(code, friend))).offer.code).toBe(offer.code);
    expect(shopify.shopify.discounts.size).toBe(1);
  });

  it("gives a visitor a single-use code for anyone, a limited number of times a day per link", async () => {
    const code = await referralCodeOf(++nextCustomer);
    const { offer } = await json(await claim(code, null));
    expect(shopify.shopify.discount(SHOP, offer.code)!.input).toMatchObject({ context: { all: "ALL" }, usageLimit: 1 });
    for (let i = 1; i < VISITOR_CLAIMS_PER_CODE_PER_DAY; i++) expect((await claim(code, null)).status).toBe(200);
    const refused = await claim(code, null);
    expect(refused.status).toBe(429);
    expect((await json(refused)).error.code).toBe("too_many_claims");
  });

  it("holds the visitors' daily limit when they claim one link all at once", async () => {
    const code = await referralCodeOf(++nextCustomer);
    const answers = await Promise.all(Array.from({ length: VISITOR_CLAIMS_PER_CODE_PER_DAY + 10 }, () => claim(code, null)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(VISITOR_CLAIMS_PER_CODE_PER_DAY);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    expect(await db.friendOffer.count({ where: { shopDomain: SHOP, referralCode: code, customerId: null } })).toBe(VISITOR_CLAIMS_PER_CODE_PER_DAY);
  });

  it("refuses one's own link, a customer who ordered before, an unknown or malformed code", async () => {
    const member = ++nextCustomer;
    const code = await referralCodeOf(member);
    expect((await json(await claim(code, member))).error.code).toBe("self_referral");
    const regular = ++nextCustomer;
    await deliverWebhook("orders/paid", orderPayload({ id: 9_610_001, customer: { id: regular }, lines: [{ price: "5.00" }] }), { shop: SHOP });
    expect((await json(await claim(code, regular))).error.code).toBe("not_new_customer");
    const unknown = await claim("ZZZZZZZZ", null);
    expect(unknown.status).toBe(404);
    expect((await claim("not a code!", null)).status).toBe(400);
    expect((await proxyPost("referral-offer", { code: 12 }, { shop: SHOP, customerId: null })).status).toBe(400);
  });

  it("answers 503 when Shopify cannot be reached, and a later claim succeeds", async () => {
    const code = await referralCodeOf(++nextCustomer);
    const friend = ++nextCustomer;
    shopify.setReachable(false);
    expect((await claim(code, friend)).status).toBe(503);
    shopify.setReachable(true);
    const again = await claim(code, friend);
    expect(again.status).toBe(200);
    expect(shopify.shopify.discount(SHOP, (await json(again)).offer.code)).toBeDefined();
    expect(await db.friendOffer.count({ where: { shopDomain: SHOP, customerId: BigInt(friend) } })).toBe(1);
  });
});
