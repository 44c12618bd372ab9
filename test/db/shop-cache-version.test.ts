// A worker's shop cache serves a saved program at once, in every process: before serving what it
// holds, it compares the shop's programVersion in the database (another worker's save bumps it).
// The cache is on here (the other database tests turn it off).
process.env.SHOP_CACHE_TTL_MS = "600000";

import { describe, expect, it } from "vitest";

// Imported once the cache is on: app modules read the environment when first imported.
const { default: db } = await import("~/db.server");
const { runtimeEnv } = await import("~/runtime-env.server");
const { cachedPublicProgram } = await import("~/loyalty/storefront.server");
const { programSettingsOf, saveProgramSettings } = await import("~/loyalty/program-settings.server");
const { DEFAULT_PROGRAM } = await import("~/loyalty/program");
const { commitProgramChange } = await import("~/loyalty/program-versions.server");
const { saveTier } = await import("~/loyalty/tier-settings.server");
const { shopForEvents } = await import("~/loyalty/shop-cache.server");
const { ensureShop } = await import("~/loyalty/shops.server");
const { inTransaction } = await import("~/loyalty/transaction.server");
const { deliverWebhook, proxyPost } = await import("../support/routes");
const { orderPayload } = await import("../../dev/simulator/shopify-payloads");

describe("the per-worker shop cache", () => {
  it("serves another worker's save at once, and otherwise what it holds", async () => {
    expect(runtimeEnv.shopCacheTtlMs).toBe(600_000);
    const shop = "cache-version.myshopify.com";

    expect((await cachedPublicProgram(db, shop)).earning).toEqual({ points: 1, perMajorUnits: 1 });

    // A write that bypasses the versioned save is not seen: the cache is really serving.
    await db.shop.update({ where: { domain: shop }, data: { program: JSON.stringify({ ...DEFAULT_PROGRAM, earning: { points: 7, perMajorUnits: 1 } }) } });
    expect((await cachedPublicProgram(db, shop)).earning).toEqual({ points: 1, perMajorUnits: 1 });

    // A save as another worker makes it: the domain call, with no word to this process's cache.
    const saved = await saveProgramSettings(db, shop, { ...programSettingsOf(DEFAULT_PROGRAM), earning: { points: 4, perMajorUnits: 1 } }, { actor: "other-worker" });
    expect(saved.ok).toBe(true);
    expect((await cachedPublicProgram(db, shop)).earning).toEqual({ points: 4, perMajorUnits: 1 });
  });

  it("serves a currency another worker learned at once, with the rewards re-priced for it", async () => {
    const shop = "cache-version-currency.myshopify.com";
    // Known without a currency (a customers/create came first): rewards priced for two decimals.
    const before = await shopForEvents(db, shop, null);
    expect(before.currency).toBeNull();
    expect((await cachedPublicProgram(db, shop)).currency).toBeNull();

    // Another worker's delivery brings the currency: the domain call, with no word to this cache.
    await inTransaction(db, (tx) => ensureShop(tx, shop, "JPY"));
    const after = await shopForEvents(db, shop, null);
    expect(after.currency).toBe("JPY");
    expect(after.programVersion).toBe(before.programVersion + 1);
    const program = await cachedPublicProgram(db, shop);
    expect(program.currency).toBe("JPY");
    expect(program.rewards[0]).toMatchObject({ amount: "5" });
    // The storefront's copy of the program is written again.
    expect((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).programPublishedHash).toBeNull();
  });

  it("credits a referral under the referral settings saved last, in whatever worker they were saved", async () => {
    const shop = "cache-version-referrals.myshopify.com";
    const referrerCustomer = 8_900_001;
    let nextOrder = 8_910_000;
    let nextCustomer = 8_920_000;
    await deliverWebhook("orders/paid", orderPayload({ id: ++nextOrder, customer: { id: referrerCustomer }, lines: [{ price: "1.00" }] }), { shop });
    const { referralCode } = await db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId: BigInt(referrerCustomer) } });
    const refer = () => deliverWebhook("orders/paid", orderPayload({ id: ++nextOrder, customer: { id: ++nextCustomer }, lines: [{ price: "40.00" }], noteAttributes: { tally_referral: referralCode } }), { shop });
    const credited = async () => (await db.referral.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" } })).map((referral) => [referral.status, referral.points]);
    const save = async (referrals: Partial<typeof DEFAULT_PROGRAM.referrals>) => {
      const saved = await saveProgramSettings(db, shop, { ...programSettingsOf(DEFAULT_PROGRAM), referrals: { ...DEFAULT_PROGRAM.referrals, ...referrals } }, { actor: "other-worker" });
      expect(saved.ok).toBe(true);
    };

    await refer();
    expect(await credited()).toEqual([["credited", 500]]);
    // Saved by another worker: the cached program is stale, the transaction sees it and runs again.
    await save({ referrerPoints: 300 });
    await refer();
    expect(await credited()).toEqual([["credited", 500], ["credited", 300]]);
    await save({ enabled: false });
    await refer();
    expect(await db.referral.count({ where: { shopDomain: shop } })).toBe(2);
    // Off in the cache, on in the database: checked before it is ignored.
    await save({ enabled: true, referrerPoints: 200 });
    await refer();
    expect(await credited()).toEqual([["credited", 500], ["credited", 300], ["credited", 200]]);
  });

  it("redeems under the program saved last, in whatever worker it was saved", async () => {
    const shop = "cache-version-redeem.myshopify.com";
    const customerId = 8_930_001;
    await deliverWebhook("orders/paid", orderPayload({ id: 8_931_000, customer: { id: customerId }, lines: [{ price: "2000.00" }] }), { shop });
    const { id: rewardId } = await db.reward.findFirstOrThrow({ where: { shopDomain: shop } });
    const redeem = async () => (await proxyPost("redeem", { rewardId }, { shop, customerId })).json() as Promise<{ error?: { code: string } }>;
    // The admin's switch as another worker makes it: the versioned save, with no word to this process's cache.
    const turn = (enabled: boolean) => commitProgramChange(db, shop, { change: "program", actor: "other-worker" }, async (_tx, program) => ({ program: { ...program, enabled }, result: null }));

    // Cached as on; turned off by another worker: the redeem's transaction sees the stored version.
    expect((await redeem()).error?.code).toBe("shopify_unavailable"); // no offline session here: points back
    await turn(false);
    expect((await redeem()).error?.code).toBe("program_off");
    await turn(true);
    expect((await redeem()).error?.code).toBe("shopify_unavailable");
    const balance = await db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId: BigInt(customerId) }, select: { balance: true } });
    expect(balance.balance).toBe(2000n);
  });

  it("credits an order under the tiers saved last, also the first tier, in whatever worker it was saved", async () => {
    const shop = "cache-version-tiers.myshopify.com";
    const paid = (order: number, customer: number, price: string) => deliverWebhook("orders/paid", orderPayload({ id: order, customer: { id: customer }, lines: [{ price }] }), { shop });
    const member = (customer: number) => db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId: BigInt(customer) }, select: { tierId: true, tierPending: true } });

    // Cached without tiers; then another worker saves the first one (no word to this process's cache).
    expect((await paid(8_940_001, 8_941_001, "10.00")).status).toBe(200);
    const gold = await saveTier(db, shop, null, { name: "Gold", thresholdPoints: 100, multiplierPercent: 100 }, { actor: "other-worker" });
    expect(gold.ok).toBe(true);

    // A new customer's order worth the tier reaches it (or is left to the recalculation), as in a fresh worker.
    expect((await paid(8_940_002, 8_941_002, "150.00")).status).toBe(200);
    const reached = await member(8_941_002);
    expect(reached.tierId === (gold as { tierId: number }).tierId || reached.tierPending).toBe(true);
  });

  it("gives deliveries that miss it at once one read of the shop, unless they bring a currency it lacks", async () => {
    const domain = "cache-single-read.myshopify.com";
    const read = (currency: string | null) => shopForEvents(db, domain, currency, { checkVersion: false });
    const shops = await Promise.all([read(null), read(null), read(null)]);
    expect(new Set(shops).size).toBe(1);
    expect(shops[0].currency).toBeNull();

    const other = "cache-single-read-currency.myshopify.com";
    const [first, withCurrency] = await Promise.all([shopForEvents(db, other, null, { checkVersion: false }), shopForEvents(db, other, "EUR", { checkVersion: false })]);
    expect(first).not.toBe(withCurrency);
    expect(withCurrency.currency).toBe("EUR");
  });
});
