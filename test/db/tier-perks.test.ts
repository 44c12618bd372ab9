// Tier entry perks through the real webhooks, the tier recalculation and the redemption-settle job,
// with Shopify stood in for: reaching a tier gives its bonus points and issues its reward once per
// member per tier per period, whatever runs twice; the admin's tiers page sets them, and the
// storefront shows them with the tier.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { requestTierRecalc } from "~/jobs/tier-jobs.server";
import { recalculateMemberTiers } from "~/loyalty/tier-recalc.server";
import { verifyLedger } from "~/loyalty/verify.server";
import { storeOfflineSession } from "../support/admin-session";
import { runDueJobs } from "../support/jobs";
import { balanceOf, balancesMatchLedger, ledgerOf, memberOf } from "../support/ledger-queries";
import { APP_URL, deliverWebhook, proxyGet } from "../support/routes";
import { adminApiStandIn, shopifyIsDown, shopifySucceeds } from "../support/shopify-admin-api";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";
import { TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";

const shopify = adminApiStandIn();
const SHOP = "tier-perks-shop.myshopify.com";
let nextOrder = 8_800_000;
let nextCustomer = 8_900_000;

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
  await deliverWebhook("customers/create", { id: 8_899_999, email: "first@example.com" }, { shop: SHOP });
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.answerWith(shopifySucceeds);
  shopify.setReachable(true);
});

async function order(customer: number, dollars: number, processedAt = new Date().toISOString()) {
  const payload = { ...orderPayload({ id: ++nextOrder, customer: { id: customer }, lines: [{ price: `${dollars}.00` }] }), processed_at: processedAt, created_at: processedAt };
  expect((await deliverWebhook("orders/paid", payload, { shop: SHOP })).status).toBe(200);
  return payload;
}

async function recalc() {
  await requestTierRecalc(db, SHOP);
  await runDueJobs(db);
}

async function shopWithTiers(shop: string, program?: Record<string, unknown>) {
  await deliverWebhook("customers/create", { id: ++nextCustomer, email: `c${nextCustomer}@example.com` }, { shop });
  if (program) await db.shop.update({ where: { domain: shop }, data: { program: JSON.stringify({ ...JSON.parse((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).program), ...program }) } });
  const reward = await db.reward.create({ data: { shopDomain: shop, title: "Welcome to Silver: 10.00 off", kind: "fixed_amount", costPoints: 1000, amountMinor: 1000, enabled: false } });
  const silver = await db.tier.create({ data: { shopDomain: shop, name: "Silver", thresholdPoints: 100, multiplierPercent: 100, entryBonusPoints: 50, entryRewardId: reward.id } });
  const gold = await db.tier.create({ data: { shopDomain: shop, name: "Gold", thresholdPoints: 300, multiplierPercent: 100, entryBonusPoints: 200 } });
  return { reward, silver, gold };
}

describe("tier entry perks", () => {
  it("gives the bonus and issues the reward once on reaching a tier, and the next tier's on reaching it", async () => {
    const { reward, silver } = await shopWithTiers(SHOP);
    const customer = ++nextCustomer;
    await order(customer, 150);
    await recalc();

    const member = await memberOf(db, customer, SHOP);
    expect(member?.tierId).toBe(silver.id);
    expect(await balanceOf(db, customer, SHOP)).toBe(150 + 50);
    const redemptions = await db.redemption.findMany({ where: { memberId: member!.id } });
    // Issued by the settle job like any redeem: a code Shopify holds, restricted to the customer, no points spent.
    expect(redemptions).toHaveLength(1);
    expect(redemptions[0]).toMatchObject({ rewardId: reward.id, status: "issued", pointsSpent: 0n, amountMinor: 1000n });
    expect(redemptions[0].code).toMatch(/^TALLY-/);
    expect(shopify.shopify.discount(SHOP, redemptions[0].code!)).toBeTruthy();
    expect((await ledgerOf(db, customer, SHOP)).filter((entry) => entry.kind === "tier_bonus").map((entry) => entry.delta)).toEqual([50]);

    // Running the recalculation again, and a duplicate delivery, give nothing more.
    await db.member.update({ where: { id: member!.id }, data: { tierPending: true } });
    await recalc();
    expect(await balanceOf(db, customer, SHOP)).toBe(200);
    expect(await db.redemption.count({ where: { memberId: member!.id } })).toBe(1);

    // Gold: its bonus only; Silver's perks are not given again.
    await order(customer, 200);
    await recalc();
    expect(await balanceOf(db, customer, SHOP)).toBe(150 + 50 + 200 + 200);
    expect(await db.tierEntryGrant.count({ where: { memberId: member!.id } })).toBe(2);
    expect(await db.redemption.count({ where: { memberId: member!.id } })).toBe(1);
    expect(await balancesMatchLedger(db)).toEqual([]);
    // The audit finds every redemption with its (0-point) redeem row.
    expect((await verifyLedger(db, { shop: SHOP })).mismatches).toEqual([]);
  });

  it("gives every tier passed on the way when a member jumps past one", async () => {
    const customer = ++nextCustomer;
    await order(customer, 400);
    await recalc();
    const member = await memberOf(db, customer, SHOP);
    expect(await balanceOf(db, customer, SHOP)).toBe(400 + 50 + 200);
    expect(await db.tierEntryGrant.count({ where: { memberId: member!.id } })).toBe(2);
    expect(await db.redemption.count({ where: { memberId: member!.id, status: "issued" } })).toBe(1);
  });

  it("keeps the perks when a refund lowers progress, and gives nothing again while the tier is kept", async () => {
    const customer = ++nextCustomer;
    const paid = await order(customer, 120);
    await recalc();
    expect(await balanceOf(db, customer, SHOP)).toBe(120 + 50);
    const refund = refundPayload({ id: ++nextOrder, orderId: paid.id, lines: [{ line: 0, quantity: 1, subtotal: "120.00" }] });
    expect((await deliverWebhook("refunds/create", refund, { shop: SHOP })).status).toBe(200);
    await recalc();
    const member = await memberOf(db, customer, SHOP);
    // Lifetime: the tier is held; the bonus stays (perks are not taken back).
    expect(member?.tierId).not.toBeNull();
    expect(await balanceOf(db, customer, SHOP)).toBe(50);
    await order(customer, 120);
    await recalc();
    expect(await db.tierEntryGrant.count({ where: { memberId: member!.id } })).toBe(1);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("gives them again after a downgrade at a calendar year's end and a new entry in a later year", async () => {
    const shop = "tier-perks-years.myshopify.com";
    await storeOfflineSession(shop);
    const { silver } = await shopWithTiers(shop, { tiers: { basis: "points", period: "calendar_year" } });
    const customer = ++nextCustomer;
    const deliver = async (dollars: number, at: string) => {
      const payload = { ...orderPayload({ id: ++nextOrder, customer: { id: customer }, lines: [{ price: `${dollars}.00` }] }), processed_at: at, created_at: at };
      expect((await deliverWebhook("orders/paid", payload, { shop })).status).toBe(200);
    };
    await deliver(150, "2025-03-01T10:00:00Z");
    const memberId = (await memberOf(db, customer, shop))!.id;
    await recalculateMemberTiers(db, shop, memberId, new Date("2025-03-02T00:00:00Z"));
    expect((await memberOf(db, customer, shop))?.tierId).toBe(silver.id);
    // Held through 2026 (reached in 2025): no new entry.
    await recalculateMemberTiers(db, shop, memberId, new Date("2026-06-01T00:00:00Z"));
    // 2027: the tier ended with its period; reached again in March.
    await recalculateMemberTiers(db, shop, memberId, new Date("2027-01-02T00:00:00Z"));
    expect((await memberOf(db, customer, shop))?.tierId).toBeNull();
    await deliver(100, "2027-03-01T10:00:00Z");
    await recalculateMemberTiers(db, shop, memberId, new Date("2027-03-02T00:00:00Z"));
    await recalculateMemberTiers(db, shop, memberId, new Date("2027-03-03T00:00:00Z"));
    const grants = await db.tierEntryGrant.findMany({ where: { memberId }, orderBy: { id: "asc" } });
    expect(grants.map((grant) => [grant.tierId, grant.periodKey])).toEqual([
      [silver.id, "2025"],
      [silver.id, "2027"],
    ]);
    expect((await ledgerOf(db, customer, shop)).filter((entry) => entry.kind === "tier_bonus")).toHaveLength(2);
    expect(await db.redemption.count({ where: { memberId } })).toBe(2);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("settles the entry reward like a redeem: an unknown outcome is retried, a refusal fails it with nothing to give back", async () => {
    shopify.answerWith(shopifyIsDown);
    const customer = ++nextCustomer;
    await order(customer, 150);
    await recalc();
    const member = await memberOf(db, customer, SHOP);
    const [pending] = await db.redemption.findMany({ where: { memberId: member!.id } });
    expect(pending).toMatchObject({ status: "pending", pointsSpent: 0n });
    expect(pending.attempts).toBeGreaterThan(0);

    shopify.answerWith(shopifySucceeds);
    await db.redemption.update({ where: { id: pending.id }, data: { settleAfter: 0n } });
    const { settleShopRedemptions } = await import("~/shopify/redemption-jobs.server");
    await settleShopRedemptions(db, SHOP);
    expect((await db.redemption.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("issued");

    const refusedCustomer = ++nextCustomer;
    shopify.removeOwner(`gid://shopify/Customer/${refusedCustomer}`);
    await order(refusedCustomer, 150);
    await recalc();
    const refusedMember = await memberOf(db, refusedCustomer, SHOP);
    expect(await db.redemption.findFirstOrThrow({ where: { memberId: refusedMember!.id } })).toMatchObject({ status: "failed", pointsSpent: 0n });
    // The bonus is kept; the failed reward gives back nothing (it cost nothing).
    expect(await balanceOf(db, refusedCustomer, SHOP)).toBe(150 + 50);
    expect(await balancesMatchLedger(db)).toEqual([]);
    expect((await verifyLedger(db, { shop: SHOP })).mismatches).toEqual([]);
  });

  it("shows each tier's perks in the public program and the member's tier, additively", async () => {
    const customer = ++nextCustomer;
    await order(customer, 150);
    await recalc();
    const tierOnly = await db.reward.create({ data: { shopDomain: SHOP, title: "Gold only", kind: "free_shipping", costPoints: 100, tierId: (await db.tier.findFirstOrThrow({ where: { shopDomain: SHOP, name: "Gold" } })).id } });
    await db.shop.update({ where: { domain: SHOP }, data: { programVersion: { increment: 1 } } });
    const body = (await (await proxyGet("customer", { shop: SHOP, customerId: customer })).json()) as {
      member: { tier: Record<string, unknown>; nextTier: Record<string, unknown> };
      program: { tiers: Record<string, unknown>[] };
    };
    const silverReward = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP, title: "Welcome to Silver: 10.00 off" } });
    expect(body.member.tier).toEqual({
      id: expect.any(Number),
      name: "Silver",
      thresholdPoints: 100,
      multiplierPercent: 100,
      perks: { multiplierPercent: 100, entryBonusPoints: 50, entryReward: { id: silverReward.id, title: silverReward.title }, tierOnlyRewards: [] },
    });
    expect(body.member.nextTier).toMatchObject({ name: "Gold", perks: { entryBonusPoints: 200, entryReward: null, tierOnlyRewards: [{ id: tierOnly.id, title: "Gold only" }] } });
    expect(body.program.tiers.map((tier) => tier.name)).toEqual(["Silver", "Gold"]);
  });
});

describe("tiers page: entry perks", () => {
  const store = "tier-perks-admin";
  const shop = `${store}.myshopify.com`;

  async function post(storeName: string, fields: Record<string, string>) {
    const request = await setUpValidRequest(
      { type: RequestType.Bearer, store: storeName, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET },
      new Request(`${APP_URL}/app/program/tiers?shop=${storeName}.myshopify.com&embedded=1`, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
    );
    const { action } = await import("~/routes/app.program.tiers");
    const response = (await action({ request, params: {}, context: {} })) as Response;
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function load(storeName: string) {
    const request = await setUpValidRequest({ type: RequestType.Admin, store: storeName, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request(`${APP_URL}/app/program/tiers`));
    const { loader } = await import("~/routes/app.program.tiers");
    return (await loader({ request, params: {}, context: {} })) as { tiers: { name: string }[]; rewards: { id: number; title: string }[] };
  }

  const base = { intent: "save", tierId: "", name: "Gold", thresholdPoints: "500", multiplierPercent: "150" };

  it("saves an entry bonus and reward, and offers the shop's rewards but variable ones", async () => {
    await storeOfflineSession(shop);
    await deliverWebhook("customers/create", { id: 8_990_001, email: "a@example.com" }, { shop });
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: shop } });
    await db.reward.create({ data: { shopDomain: shop, title: "Pick your points", kind: "variable", costPoints: 100, amountMinor: 100, minPoints: 100, maxPoints: 1000, stepPoints: 100 } });
    const page = await load(store);
    expect(page.rewards.map((option) => option.title)).toEqual([reward.title]);

    expect((await post(store, { ...base, entryBonusPoints: "250", entryRewardId: String(reward.id) })).status).toBe(200);
    expect(await db.tier.findFirstOrThrow({ where: { shopDomain: shop, name: "Gold" } })).toMatchObject({ entryBonusPoints: 250, entryRewardId: reward.id });
    expect((await load(store)).tiers).toEqual([expect.objectContaining({ name: "Gold", entryBonusPoints: 250, entryReward: { id: reward.id, title: reward.title } })]);
    // Blank fields: no perks.
    const gold = await db.tier.findFirstOrThrow({ where: { shopDomain: shop, name: "Gold" } });
    expect((await post(store, { ...base, tierId: String(gold.id), entryBonusPoints: "", entryRewardId: "" })).status).toBe(200);
    expect(await db.tier.findUniqueOrThrow({ where: { id: gold.id } })).toMatchObject({ entryBonusPoints: 0, entryRewardId: null });
  });

  it.each([
    ["a negative bonus", { entryBonusPoints: "-5" }, "entryBonusPoints", "errorMin"],
    ["a huge bonus", { entryBonusPoints: "5000000" }, "entryBonusPoints", "errorMax"],
    ["a bonus that is not a number", { entryBonusPoints: "lots" }, "entryBonusPoints", "errorWholeNumber"],
    ["an unknown reward", { entryRewardId: "999999" }, "entryRewardId", "errorChoice"],
    ["a reward id that is not a number", { entryRewardId: "abc" }, "entryRewardId", "errorWholeNumber"],
  ])("refuses %s with a field error and saves nothing", async (_, fields, field, key) => {
    const before = await db.tier.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" } });
    const answer = await post(store, { ...base, name: "Platinum", thresholdPoints: "900", ...fields });
    expect(answer.status).toBe(422);
    expect((answer.body.fieldErrors as Record<string, { key: string }>)[field]).toMatchObject({ key });
    expect(await db.tier.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" } })).toEqual(before);
  });

  it("refuses another shop's reward and a variable reward", async () => {
    const variable = await db.reward.findFirstOrThrow({ where: { shopDomain: shop, kind: "variable" } });
    const foreign = await db.reward.findFirstOrThrow({ where: { shopDomain: { not: shop } } });
    for (const rewardId of [variable.id, foreign.id]) {
      const answer = await post(store, { ...base, name: "Platinum", thresholdPoints: "900", entryRewardId: String(rewardId) });
      expect(answer).toMatchObject({ status: 422, body: { fieldErrors: { entryRewardId: { key: "errorChoice" } } } });
    }
    expect(await db.tier.count({ where: { shopDomain: shop, name: "Platinum" } })).toBe(0);
  });
});
