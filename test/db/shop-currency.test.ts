// The default reward is "5.00 of shop currency off" (DESIGN §4), so it has to be priced in the
// shop's own currency: read from the Admin API at install, or from the first order when the
// install could not say. Admin GraphQL is stood in for at the HTTP boundary (msw).
import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { unauthenticated } from "~/shopify.server";
import { recordInstall } from "~/shopify/install.server";
import { storeOfflineSession } from "../support/admin-session";
import { deliverWebhook, proxyGet } from "../support/routes";
import { adminApiStandIn, shopifyIsDown, shopifySucceeds, type GraphqlCall } from "../support/shopify-admin-api";
import type { ShopifyAdmin } from "../../dev/simulator/shopify-admin";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

const shopify = adminApiStandIn();

beforeAll(() => shopify.listen());
afterAll(() => shopify.close());
beforeEach(() => shopify.answerWith(shopifySucceeds));

/** Shopify's answer to ShopFacts for a shop trading in `currencyCode`. */
const shopTradingIn = (currencyCode: string, id: number) => (call: GraphqlCall, shopify: ShopifyAdmin) =>
  /query ShopFacts\b/.test(call.query)
    ? (HttpResponse.json({ data: { shop: { id: `gid://shopify/Shop/${id}`, currencyCode } } }) as unknown as Response)
    : shopifySucceeds(call, shopify);

async function install(shop: string) {
  await storeOfflineSession(shop);
  const { admin } = await unauthenticated.admin(shop);
  await recordInstall(shop, admin.graphql);
}

const rewardsOf = (shop: string) => db.reward.findMany({ where: { shopDomain: shop }, select: { title: true, amountMinor: true, costPoints: true } });
const shopRow = (shop: string) => db.shop.findUniqueOrThrow({ where: { domain: shop } });

describe("the default reward's price", () => {
  it("is set in the shop's currency at install: ¥5 off in a yen shop", async () => {
    const shop = "yen-shop.myshopify.com";
    shopify.answerWith(shopTradingIn("JPY", 1001));
    await install(shop);

    expect(await shopRow(shop)).toMatchObject({ currency: "JPY", shopifyGid: "gid://shopify/Shop/1001", uninstalledAt: null });
    expect(await rewardsOf(shop)).toEqual([{ title: "5 off your order", amountMinor: 5, costPoints: 500 }]);
    const body = await (await proxyGet("program", { shop })).json();
    expect(body.program.rewards).toEqual([expect.objectContaining({ title: "5 off your order", amountMinor: 5, amount: "5" })]);
  });

  it("is 5.00 off in a two-decimal currency", async () => {
    const shop = "euro-shop.myshopify.com";
    shopify.answerWith(shopTradingIn("EUR", 1002));
    await install(shop);
    expect(await rewardsOf(shop)).toEqual([{ title: "5.00 off your order", amountMinor: 500, costPoints: 500 }]);
  });

  it("is 5.00 off in a forint shop: ISO 4217 gives HUF two decimals, though Intl displays none", async () => {
    const shop = "forint-install-shop.myshopify.com";
    shopify.answerWith(shopTradingIn("HUF", 1004));
    await install(shop);
    expect(await rewardsOf(shop)).toEqual([{ title: "5.00 off your order", amountMinor: 500, costPoints: 500 }]);
  });

  it("installs anyway when the Admin API is down, and prices the reward when the first order names the currency", async () => {
    const shop = "dinar-shop.myshopify.com";
    shopify.answerWith(shopifyIsDown);
    await install(shop);
    expect(await shopRow(shop)).toMatchObject({ currency: null, shopifyGid: null, uninstalledAt: null });
    expect(await rewardsOf(shop)).toEqual([{ title: "5.00 off your order", amountMinor: 500, costPoints: 500 }]);

    // Kuwaiti dinar: three decimals, so 5.000 KWD is 5000 minor units.
    const response = await deliverWebhook("orders/paid", orderPayload({ id: 9_100_001, currency: "KWD", customer: { id: 9_200_001 }, lines: [{ price: "12.500" }] }), { shop });
    expect(response.status).toBe(200);
    expect(await shopRow(shop)).toMatchObject({ currency: "KWD" });
    expect(await rewardsOf(shop)).toEqual([{ title: "5.000 off your order", amountMinor: 5000, costPoints: 500 }]);
  });

  it("re-prices once when the first orders of a shop arrive together", async () => {
    const shop = "busy-yen-shop.myshopify.com";
    shopify.answerWith(shopifyIsDown);
    await install(shop);
    const deliveries = Array.from({ length: 8 }, (_, i) =>
      deliverWebhook(i % 2 ? "orders/updated" : "orders/paid", orderPayload({ id: 9_100_100 + i, currency: "JPY", customer: { id: 9_200_100 + i }, lines: [{ price: "1000" }] }), { shop }),
    );
    expect((await Promise.all(deliveries)).map((response) => response.status)).toEqual(Array(8).fill(200));
    expect(await rewardsOf(shop)).toEqual([{ title: "5 off your order", amountMinor: 5, costPoints: 500 }]);
    // The storefront's copy of the program is marked stale, for the sync to rewrite.
    expect((await shopRow(shop)).programPublishedHash).toBeNull();
  });

  it("is not taught by a refund's transaction currency, which is presentment money", async () => {
    const shop = "refund-first-shop.myshopify.com";
    shopify.answerWith(shopifyIsDown);
    await install(shop);
    const paidInYen = (refund: ReturnType<typeof refundPayload>) => ({
      ...refund,
      transactions: refund.transactions.map((transaction) => ({ ...transaction, currency: "JPY" })),
    });
    // A lean refund (no *_set objects): nothing in it names the shop's currency.
    const lean = paidInYen(refundPayload({ id: 9_300_001, orderId: 9_300_000, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] }));
    for (const line of lean.refund_line_items) Object.assign(line, { subtotal_set: undefined, total_tax_set: undefined });
    expect((await deliverWebhook("refunds/create", lean, { shop })).status).toBe(200);
    expect(await shopRow(shop)).toMatchObject({ currency: null });
    expect(await rewardsOf(shop)).toEqual([{ title: "5.00 off your order", amountMinor: 500, costPoints: 500 }]);

    // With shop_money in USD, the shop trades in USD, whatever the customer paid in.
    const withSets = paidInYen(refundPayload({ id: 9_300_002, orderId: 9_300_000, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] }));
    expect((await deliverWebhook("refunds/create", withSets, { shop })).status).toBe(200);
    expect(await shopRow(shop)).toMatchObject({ currency: "USD" });
    expect(await rewardsOf(shop)).toEqual([{ title: "5.00 off your order", amountMinor: 500, costPoints: 500 }]);
  });

  it("keeps a title the merchant wrote while re-pricing the amount", async () => {
    const shop = "renamed-shop.myshopify.com";
    shopify.answerWith(shopifyIsDown);
    await install(shop);
    await db.reward.updateMany({ where: { shopDomain: shop }, data: { title: "Thank-you discount" } });

    await deliverWebhook("orders/paid", orderPayload({ id: 9_100_002, currency: "JPY", customer: { id: 9_200_002 }, lines: [{ price: "1200" }] }), { shop });
    expect(await rewardsOf(shop)).toEqual([{ title: "Thank-you discount", amountMinor: 5, costPoints: 500 }]);
  });

  it("is not changed again by later orders, or by a currency Shopify reports later", async () => {
    const shop = "yen-shop.myshopify.com";
    await deliverWebhook("orders/paid", orderPayload({ id: 9_100_003, currency: "JPY", customer: { id: 9_200_003 }, lines: [{ price: "3000" }] }), { shop });
    shopify.answerWith(shopTradingIn("USD", 1001));
    await install(shop); // a reinstall
    expect(await shopRow(shop)).toMatchObject({ currency: "JPY" });
    expect(await rewardsOf(shop)).toEqual([{ title: "5 off your order", amountMinor: 5, costPoints: 500 }]);
  });

  it("refuses nothing when Shopify names a currency the app does not know: the first order decides", async () => {
    const shop = "odd-currency-shop.myshopify.com";
    shopify.answerWith(shopTradingIn("ZZZ", 1003));
    await install(shop);
    expect(await shopRow(shop)).toMatchObject({ currency: null, shopifyGid: "gid://shopify/Shop/1003" });
  });
});

describe("the segment metafields' definitions", () => {
  const definitionsOf = (shop: string) =>
    [...shopify.shopify.metafieldDefinitions]
      .filter(([key]) => key.startsWith(`${shop} `))
      .map(([key, definition]) => [key.slice(shop.length + 1), definition.type])
      .sort();

  it("are created at install for the segment editor, and a reinstall leaves them as they are", async () => {
    const shop = "segments-shop.myshopify.com";
    await install(shop);
    expect(definitionsOf(shop)).toEqual([
      ["CUSTOMER tally.balance", "number_integer"],
      ["CUSTOMER tally.pending", "number_integer"],
      ["CUSTOMER tally.tier", "single_line_text_field"],
    ]);
    const created = shopify.calls.filter((call) => /mutation CreateMetafieldDefinition\b/.test(call.query)).length;
    await install(shop); // Shopify answers TAKEN for each: nothing new, and the install goes ahead
    expect(shopify.calls.filter((call) => /mutation CreateMetafieldDefinition\b/.test(call.query)).length).toBe(created + 3);
    expect(definitionsOf(shop)).toHaveLength(3);
    expect(await shopRow(shop)).toMatchObject({ uninstalledAt: null });
  });

  it("do not stop an install when Shopify refuses them", async () => {
    const shop = "no-definitions-shop.myshopify.com";
    shopify.answerWith((call, admin) =>
      /mutation CreateMetafieldDefinition\b/.test(call.query)
        ? (HttpResponse.json({ data: { metafieldDefinitionCreate: { createdDefinition: null, userErrors: [{ field: ["definition"], message: "Limit reached", code: "RESOURCE_TYPE_LIMIT_EXCEEDED" }] } } }) as unknown as Response)
        : shopifySucceeds(call, admin),
    );
    await install(shop);
    expect(definitionsOf(shop)).toEqual([]);
    expect(await shopRow(shop)).toMatchObject({ uninstalledAt: null, currency: "USD" });
  });
});
