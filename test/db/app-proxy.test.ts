// The storefront read path: app-proxy requests signed as Shopify's proxy signs them.
import { beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { DEFAULT_PROGRAM } from "~/loyalty/program";
import { programSettingsOf, saveProgramSettings } from "~/loyalty/program-settings.server";
import { requestTierRecalc } from "~/jobs/tier-jobs.server";
import { runDueJobs } from "../support/jobs";
import { storefrontProxyPrefix } from "../../dev/simulator/app-config";
import { deliverWebhook, proxyGet } from "../support/routes";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";
import { signedProxyQuery, TEST_SHOP } from "../../dev/simulator/shopify-signing";

const CUSTOMER = 7_700_001;

beforeAll(async () => {
  await deliverWebhook("orders/paid", orderPayload({ id: 7_800_001, customer: { id: CUSTOMER, firstName: "Grace" }, lines: [{ price: "120.00" }, { price: "30.00" }] }));
  await deliverWebhook("refunds/create", refundPayload({ id: 7_800_101, orderId: 7_800_001, lines: [{ line: 1, quantity: 1, subtotal: "30.00" }] }));
});

describe("GET /proxy/customer", () => {
  it("returns the signed-in member's balance, privately", async () => {
    const response = await proxyGet("customer", { customerId: CUSTOMER });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = await response.json();
    expect(body.version).toBe(1);
    expect(body.member).toMatchObject({
      customerId: CUSTOMER,
      firstName: "Grace",
      balance: 120,
      pendingBalance: 0,
      lifetimeEarned: 120,
      tier: null,
      nextTier: null,
      progress: null,
    });
    expect(body.member.referralUrl).toBe(`https://${TEST_SHOP}/?ref=${body.member.referralCode}`);
    expect(body.program.rewards).toEqual([
      expect.objectContaining({ title: "5.00 off your order", costPoints: 500, amountMinor: 500, amount: "5.00" }),
    ]);
  });

  it("shows the tier the recalculation gives and the progress on the program's basis", async () => {
    await db.tier.createMany({
      data: [
        { shopDomain: TEST_SHOP, name: "Silver", thresholdPoints: 100, multiplierPercent: 100 },
        { shopDomain: TEST_SHOP, name: "Gold", thresholdPoints: 240, multiplierPercent: 150 },
      ],
    });
    const recalculate = async () => {
      await db.member.updateMany({ where: { shopDomain: TEST_SHOP }, data: { tierPending: true } });
      await requestTierRecalc(db, TEST_SHOP);
      await runDueJobs(db);
    };
    try {
      // Until the recalculation has run, no tier is claimed.
      const before = await (await proxyGet("customer", { customerId: CUSTOMER })).json();
      expect(before.member.tier).toBeNull();
      expect(before.member.nextTier).toMatchObject({ name: "Silver" });

      await recalculate();
      const body = await (await proxyGet("customer", { customerId: CUSTOMER })).json();
      expect(body.member.tier).toMatchObject({ name: "Silver" });
      expect(body.member.nextTier).toMatchObject({ name: "Gold", thresholdPoints: 240 });
      // 150.00 paid, 30.00 refunded: 120 base points.
      expect(body.member.progress).toEqual({ basis: "points", current: 120, target: 240, remaining: 120, percent: 50, remainingAmount: null });

      // Counted on amount spent instead: 120.00 of 240.00 (minor units), shown as the amount to go.
      const shop = await db.shop.findUniqueOrThrow({ where: { domain: TEST_SHOP } });
      await db.shop.update({ where: { domain: TEST_SHOP }, data: { program: JSON.stringify({ ...JSON.parse(shop.program), tiers: { basis: "amount", period: "lifetime" } }) } });
      await recalculate();
      const byAmount = await (await proxyGet("customer", { customerId: CUSTOMER })).json();
      expect(byAmount.member.tier).toMatchObject({ name: "Silver" });
      expect(byAmount.member.progress).toEqual({ basis: "amount", current: 12_000, target: 24_000, remaining: 12_000, percent: 50, remainingAmount: "120.00" });
      await db.shop.update({ where: { domain: TEST_SHOP }, data: { program: shop.program } });
    } finally {
      await db.tier.deleteMany({ where: { shopDomain: TEST_SHOP } });
      await db.member.updateMany({ where: { shopDomain: TEST_SHOP }, data: { tierId: null, tierActivity: 0 } });
    }
  });

  it("returns member: null for a visitor who is not signed in", async () => {
    const response = await proxyGet("customer", { customerId: null });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.member).toBeNull();
    expect(body.program.earning).toEqual({ points: 1, perMajorUnits: 1 });
  });

  it("enrols a signed-in customer seen for the first time with a zero balance", async () => {
    const body = await (await proxyGet("customer", { customerId: 7_700_999 })).json();
    expect(body.member).toMatchObject({ customerId: 7_700_999, balance: 0 });
  });

  it("takes a signature over an empty index parameter, with or without it (the library leaves it out)", async () => {
    expect((await proxyGet("customer", { customerId: 7_700_998, extra: { index: "" } })).status).toBe(200);
  });

  it("takes the customer only from the signed parameters", async () => {
    const query = signedProxyQuery(storefrontProxyPrefix(), { customerId: 7_700_555 });
    query.set("logged_in_customer_id", String(CUSTOMER));
    const response = await proxyGet("customer", { query });
    expect(response.status).toBe(401);
  });

  it.each([
    ["a missing signature", () => { const q = signedProxyQuery("/apps/tally", { customerId: CUSTOMER }); q.delete("signature"); return q; }],
    ["a signature made with another secret", () => signedProxyQuery("/apps/tally", { customerId: CUSTOMER, secret: "someone-else" })],
    ["a timestamp five minutes old (replay)", () => signedProxyQuery("/apps/tally", { customerId: CUSTOMER, timestamp: Math.floor(Date.now() / 1000) - 300 })],
    ["another shop in the query", () => { const q = signedProxyQuery("/apps/tally", { customerId: CUSTOMER }); q.set("shop", "other.myshopify.com"); return q; }],
  ])("refuses %s with 401 and a JSON error", async (_, query) => {
    const response = await proxyGet("customer", { query: query() });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: expect.stringMatching(/signature/) } });
  });
});

// Shopify signs a key that appears twice as its values joined by ",", so a parameter a shopper
// adds to the storefront URL before the proxy's own still carries a valid signature.
describe("repeated signed parameters", () => {
  const SHOPPER = 7_700_777;
  const STRANGER = 7_700_778;

  it("refuses another customer's id put before the shopper's own, showing and creating nothing", async () => {
    for (const victim of [CUSTOMER, STRANGER]) {
      const query = signedProxyQuery(storefrontProxyPrefix(), { customerId: SHOPPER, addedBefore: { logged_in_customer_id: [String(victim)] } });
      expect(query.getAll("logged_in_customer_id")).toEqual([String(victim), String(SHOPPER)]);
      const response = await proxyGet("customer", { query });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: "repeated_parameter", message: expect.stringContaining("logged_in_customer_id") } });
    }
    const members = await db.member.findMany({ where: { shopDomain: TEST_SHOP, customerId: { in: [BigInt(SHOPPER), BigInt(STRANGER)] } } });
    expect(members).toEqual([]);
  });

  it.each(["shop", "path_prefix", "timestamp"])("refuses a repeated %s with 400", async (name) => {
    const value = { shop: "other-shop.myshopify.com", path_prefix: "/apps/other", timestamp: String(Math.floor(Date.now() / 1000)) }[name]!;
    const query = signedProxyQuery(storefrontProxyPrefix(), { customerId: CUSTOMER, addedBefore: { [name]: [value] } });
    const response = await proxyGet("customer", { query });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("repeated_parameter");
  });

  it("refuses a repeated signature with 400", async () => {
    const query = signedProxyQuery(storefrontProxyPrefix(), { customerId: CUSTOMER });
    query.append("signature", query.get("signature")!);
    const response = await proxyGet("customer", { query });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("repeated_parameter");
  });
});

describe("GET /proxy/program", () => {
  it("returns the public program without customer data", async () => {
    const response = await proxyGet("program", { customerId: CUSTOMER });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).not.toHaveProperty("member");
    expect(body.program).toMatchObject({
      name: "Rewards",
      currency: "USD",
      earning: { points: 1, perMajorUnits: 1 },
      // A fresh install: the order rule and referrals (signup and birthday points are off).
      waysToEarn: [
        { kind: "order", points: 1, perMajorUnits: 1 },
        { kind: "referral", points: 500, friendDiscountMajorUnits: 5 },
      ],
      tiers: [],
      pendingDays: 0,
      expiryDays: null,
    });
  });
});

describe("GET /proxy/program ways to earn", () => {
  it("lists every active rule: signup and birthday points when on, referrals when off no more", async () => {
    const shop = "ways-to-earn.myshopify.com";
    const settings = { ...programSettingsOf(DEFAULT_PROGRAM), signupPoints: 50, birthdayPoints: 100, referrals: { ...DEFAULT_PROGRAM.referrals, enabled: false } };
    expect((await saveProgramSettings(db, shop, settings, { actor: "test" })).ok).toBe(true);
    const body = await (await proxyGet("program", { shop })).json();
    expect(body.program.waysToEarn).toEqual([
      { kind: "order", points: 1, perMajorUnits: 1 },
      { kind: "signup", points: 50 },
      { kind: "birthday", points: 100 },
    ]);
  });
});
