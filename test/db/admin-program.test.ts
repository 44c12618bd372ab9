// The Program settings pages' loaders and actions, called with real Requests carrying Shopify
// session tokens: a good save changes what the storefront reads (the proxy at once, the program
// metafield through the sync job); bad input gets field errors and changes nothing.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { syncCustomerSummaries } from "~/shopify/customer-summary-sync.server";
import { storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook, proxyGet } from "../support/routes";
import { adminApiStandIn } from "../support/shopify-admin-api";
import { SIMULATED_SHOP_GID } from "../../dev/simulator/shopify-admin";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";

const shopify = adminApiStandIn();
beforeAll(() => shopify.listen());
afterAll(() => shopify.close());

interface RouteModule {
  loader?: (args: { request: Request; params: Record<string, string>; context: object }) => unknown;
  action?: (args: { request: Request; params: Record<string, string>; context: object }) => unknown;
}

const routes = {
  settings: () => import("~/routes/app.program._index") as Promise<RouteModule>,
  rewards: () => import("~/routes/app.program.rewards._index") as Promise<RouteModule>,
  reward: () => import("~/routes/app.program.rewards.$id") as Promise<RouteModule>,
  tiers: () => import("~/routes/app.program.tiers") as Promise<RouteModule>,
};

/** A page load in the embedded admin: GET with the id_token Shopify's admin adds. */
async function load(store: string, route: keyof typeof routes, params: Record<string, string> = {}) {
  const request = await setUpValidRequest({ type: RequestType.Admin, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request(`${APP_URL}/app/program`));
  return settle((await routes[route]()).loader!({ request, params, context: {} }));
}

/** A form submission from the embedded admin: POST with App Bridge's bearer session token. */
async function post(store: string, route: keyof typeof routes, fields: Record<string, string>, params: Record<string, string> = {}) {
  const body = new URLSearchParams(fields);
  const request = await setUpValidRequest(
    { type: RequestType.Bearer, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET },
    new Request(`${APP_URL}/app/program?shop=${store}.myshopify.com&embedded=1`, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
  );
  return settle((await routes[route]()).action!({ request, params, context: {} }));
}

async function settle(result: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  let value: unknown;
  try {
    value = await result;
  } catch (thrown) {
    value = thrown;
  }
  if (value instanceof Response) {
    const text = await value.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text, location: value.headers.get("location") };
    }
    return { status: value.status, body };
  }
  return { status: 200, body: value as Record<string, unknown> };
}

/** The program page's fields as the form posts them, from the loader's settings. */
function settingsForm(settings: Record<string, unknown>, version: number, changes: Record<string, string> = {}): Record<string, string> {
  const flat: Record<string, string> = { version: String(version) };
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === "object") for (const [key, inner] of Object.entries(value)) walk(prefix ? `${prefix}.${key}` : key, inner);
    else flat[prefix] = value === null ? "" : String(value);
  };
  walk("", settings);
  return { ...flat, ...changes };
}

async function storedShop(domain: string) {
  return db.shop.findUniqueOrThrow({ where: { domain }, select: { program: true, programVersion: true } });
}

async function publicProgram(shop: string) {
  return (await (await proxyGet("program", { shop })).json()).program as Record<string, unknown> & { rewards: { id: number; title: string }[] };
}

describe("program settings page", () => {
  const store = "admin-program-settings";
  const shop = `${store}.myshopify.com`;

  it("saves the earning rule, bonuses, referrals, limits and widget, and the storefront reads them at once", async () => {
    await storeOfflineSession(shop);
    const page = await load(store, "settings");
    expect(page.status).toBe(200);
    const { settings, version } = page.body as { settings: Record<string, unknown>; version: number };
    expect(settings).toMatchObject({ earning: { points: 1, perMajorUnits: 1 }, signupPoints: 0, appearance: { accentColor: null } });
    expect(await publicProgram(shop)).toMatchObject({ earning: { points: 1, perMajorUnits: 1 } });

    const saved = await post(
      store,
      "settings",
      settingsForm(settings, version, {
        "earning.points": "3",
        "earning.perMajorUnits": "2",
        pendingDays: "14",
        expiryDays: "365",
        signupPoints: "150",
        birthdayPoints: "200",
        "referrals.enabled": "false",
        "referrals.weeklyCapPerReferrer": "3",
        "redemption.maxRedeemsPerHour": "4",
        "appearance.heading": "Club Rewards",
        "appearance.accentColor": "#0A7E3B",
      }),
    );
    expect(saved).toEqual({ status: 200, body: { ok: true, version: version + 1 } });

    // The storefront proxy serves the new program without waiting for a cache to expire.
    expect(await publicProgram(shop)).toMatchObject({
      earning: { points: 3, perMajorUnits: 2 },
      appearance: { heading: "Club Rewards", accentColor: "#0a7e3b", launcherLabel: null },
    });
    const program = JSON.parse((await storedShop(shop)).program);
    expect(program).toMatchObject({ pendingDays: 14, expiryDays: 365, signupPoints: 150, birthdayPoints: 200, referrals: { enabled: false, weeklyCapPerReferrer: 3 }, redemption: { maxRedeemsPerHour: 4 } });

    // The save asked for the storefront sync, which writes the program metafield.
    expect(await db.job.findUnique({ where: { key: `customer-summaries:${shop}` } })).not.toBeNull();
    await syncCustomerSummaries(shop);
    expect(JSON.parse(shopify.metafield(shop, SIMULATED_SHOP_GID, "$app:tally.program") ?? "null")).toMatchObject({ earning: { points: 3, perMajorUnits: 2 }, appearance: { heading: "Club Rewards" } });

    // An order placed now earns under the new rule: 57.60 at 3 points per 2.00 → floor(86.4).
    await deliverWebhook("orders/paid", { ...orderPayload({ id: 6_100_001, customer: { id: 6_200_001 }, lines: [{ price: "57.60" }] }), processed_at: new Date().toISOString() }, { shop });
    expect(Number((await db.orderSnapshot.findFirstOrThrow({ where: { shopDomain: shop, orderId: 6_100_001n } })).pointsCredited)).toBe(86);
  });

  it.each([
    ["a word for a number", { "earning.points": "many" }, "earning.points", "errorWholeNumber"],
    ["a negative number", { signupPoints: "-5" }, "signupPoints", "errorMin"],
    ["a huge number", { "earning.perMajorUnits": "99999999999999999999" }, "earning.perMajorUnits", "errorWholeNumber"],
    ["a number past the limit", { "referrals.referrerPoints": "1000001" }, "referrals.referrerPoints", "errorMax"],
    ["a fraction", { birthdayPoints: "2.5" }, "birthdayPoints", "errorWholeNumber"],
    ["zero currency units", { "earning.perMajorUnits": "0" }, "earning.perMajorUnits", "errorMin"],
    ["an unknown tier basis", { "tiers.basis": "visits" }, "tiers.basis", "errorChoice"],
    ["a colour that is not one", { "appearance.textColor": "red; background:url(x)" }, "appearance.textColor", "errorColour"],
    ["a text too long", { "appearance.launcherLabel": "x".repeat(61) }, "appearance.launcherLabel", "errorTooLong"],
    ["an empty name", { name: " " }, "name", "errorRequired"],
    ["a pending period past a year", { pendingDays: "400" }, "pendingDays", "errorMax"],
    ["an expiry of zero days", { expiryDays: "0" }, "expiryDays", "errorMin"],
    ["an expiry of a word", { expiryDays: "soon" }, "expiryDays", "errorWholeNumber"],
  ])("refuses %s with a field error and saves nothing", async (_, changes, field, key) => {
    await storeOfflineSession(shop);
    const { settings, version } = (await load(store, "settings")).body as { settings: Record<string, unknown>; version: number };
    const before = await storedShop(shop);
    const answer = await post(store, "settings", settingsForm(settings, version, { ...changes, signupPoints: (changes as Record<string, string>).signupPoints ?? "999" }));
    expect(answer.status).toBe(422);
    expect((answer.body.fieldErrors as Record<string, { key: string }>)[field]).toMatchObject({ key });
    expect(await storedShop(shop)).toEqual(before);
  });

  it("refuses a save made from a page loaded before another save", async () => {
    const { settings, version } = (await load(store, "settings")).body as { settings: Record<string, unknown>; version: number };
    expect((await post(store, "settings", settingsForm(settings, version, { signupPoints: "10" }))).status).toBe(200);
    const stale = await post(store, "settings", settingsForm(settings, version, { signupPoints: "20" }));
    expect(stale).toEqual({ status: 409, body: { ok: false, stale: true } });
    expect(JSON.parse((await storedShop(shop)).program).signupPoints).toBe(10);
  });

  it("refuses a request without a session token", async () => {
    const { action } = await routes.settings();
    const answer = await settle(action!({ request: new Request(`${APP_URL}/app/program?shop=${shop}`, { method: "POST", body: new URLSearchParams({ signupPoints: "1" }) }), params: {}, context: {} }));
    expect([302, 401, 410]).toContain(answer.status);
  });
});

const REWARD = {
  kind: "fixed_amount",
  title: "10.00 off",
  costPoints: "1000",
  amount: "10.00",
  enabled: "on",
  minimumSubtotal: "",
  codeExpiryDays: "",
  tierId: "",
};

describe("rewards pages", () => {
  const store = "admin-program-rewards";
  const shop = `${store}.myshopify.com`;
  const otherStore = "admin-program-rewards-other";

  it("creates, edits and turns off a reward; the storefront follows", async () => {
    await storeOfflineSession(shop);
    const created = await post(store, "reward", { ...REWARD, "combinesWith.shipping": "on", codeExpiryDays: "30", minimumSubtotal: "40.00" }, { id: "new" });
    expect(created).toMatchObject({ status: 302, body: { location: "/app/program/rewards" } });
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: shop, title: "10.00 off" } });
    expect(reward).toMatchObject({ amountMinor: 1000, minimumSubtotalMinor: 4000, codeExpiryDays: 30, combinesWithShipping: true, combinesWithOrder: false, enabled: true });
    expect((await publicProgram(shop)).rewards.map((r) => r.title)).toContain("10.00 off");

    const edited = await post(store, "reward", { ...REWARD, kind: "percentage", title: "15% off", percentage: "15" }, { id: String(reward.id) });
    expect(edited.status).toBe(302);
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ kind: "percentage", percentage: 15, amountMinor: null, title: "15% off" });

    const list = await load(store, "rewards");
    expect((list.body.rewards as { id: number; title: string; enabled: boolean }[]).find((r) => r.id === reward.id)).toMatchObject({ title: "15% off", enabled: true });

    expect((await post(store, "rewards", { rewardId: String(reward.id), intent: "disable" })).status).toBe(200);
    expect((await publicProgram(shop)).rewards.map((r) => r.id)).not.toContain(reward.id);
    expect(await db.programVersion.count({ where: { shopDomain: shop } })).toBe(4); // initial, create, edit, turn off
  });

  it.each([
    ["a negative cost", { costPoints: "-5" }, "costPoints", "errorMin"],
    ["a cost that is not a number", { costPoints: "lots" }, "costPoints", "errorWholeNumber"],
    ["more decimals than the currency has", { amount: "5.001" }, "amount", "errorDecimals"],
    ["an amount that is not one", { amount: "five" }, "amount", "errorAmount"],
    ["a percentage over 100", { kind: "percentage", percentage: "150" }, "percentage", "errorMax"],
    ["an unknown kind", { kind: "gift" }, "kind", "errorChoice"],
    ["a free product without a variant", { kind: "free_product", variantGid: "shirt" }, "variantGid", "errorVariant"],
    ["a variable reward whose step is not a multiple", { kind: "variable", amount: "1.00", costPoints: "100", minPoints: "200", maxPoints: "1000", stepPoints: "150" }, "stepPoints", "errorStepMultiple"],
    ["a code that expires after 0 days", { codeExpiryDays: "0" }, "codeExpiryDays", "errorMin"],
    ["an empty title", { title: "" }, "title", "errorRequired"],
  ])("refuses %s with a field error and saves nothing", async (_, changes, field, key) => {
    await storeOfflineSession(shop);
    const before = await db.reward.count({ where: { shopDomain: shop } });
    const answer = await post(store, "reward", { ...REWARD, ...changes }, { id: "new" });
    expect(answer.status).toBe(422);
    expect((answer.body.fieldErrors as Record<string, { key: string }>)[field]).toMatchObject({ key });
    expect(await db.reward.count({ where: { shopDomain: shop } })).toBe(before);
  });

  it("keeps to the shop's own tiers and rewards", async () => {
    await storeOfflineSession(shop);
    await storeOfflineSession(`${otherStore}.myshopify.com`);
    await post(otherStore, "tiers", { intent: "save", tierId: "", name: "Gold", thresholdPoints: "500", multiplierPercent: "150" });
    const otherTier = await db.tier.findFirstOrThrow({ where: { shopDomain: `${otherStore}.myshopify.com` } });
    const restricted = await post(store, "reward", { ...REWARD, tierId: String(otherTier.id) }, { id: "new" });
    expect(restricted.status).toBe(422);
    expect(restricted.body.fieldErrors).toMatchObject({ tierId: { key: "errorTierUnknown" } });

    const otherReward = await db.reward.findFirstOrThrow({ where: { shopDomain: `${otherStore}.myshopify.com` } });
    expect((await load(store, "reward", { id: String(otherReward.id) })).status).toBe(404);
    expect((await post(store, "reward", REWARD, { id: String(otherReward.id) })).status).toBe(404);
    expect((await post(store, "rewards", { rewardId: String(otherReward.id), intent: "disable" })).status).toBe(404);
    expect((await post(store, "rewards", { rewardId: String(otherReward.id), intent: "delete" })).status).toBe(404);
    expect((await post(store, "rewards", { rewardId: "abc", intent: "delete" })).status).toBe(400);
    expect((await load(store, "reward", { id: "12abc" })).status).toBe(404);
    expect(await db.reward.findUniqueOrThrow({ where: { id: otherReward.id } })).toMatchObject({ enabled: true, title: otherReward.title });
  });

  it("never deletes a reward that was redeemed; one never redeemed can go", async () => {
    await storeOfflineSession(shop);
    await post(store, "reward", { ...REWARD, title: "Redeemed one" }, { id: "new" });
    await post(store, "reward", { ...REWARD, title: "Never redeemed" }, { id: "new" });
    const redeemed = await db.reward.findFirstOrThrow({ where: { shopDomain: shop, title: "Redeemed one" } });
    const unused = await db.reward.findFirstOrThrow({ where: { shopDomain: shop, title: "Never redeemed" } });
    const member = await db.member.create({ data: { shopDomain: shop, customerId: 6_300_001n, referralCode: "ADMINPRG1", balance: 0n } });
    await db.redemption.create({
      data: { shopDomain: shop, memberId: member.id, rewardId: redeemed.id, kind: "fixed_amount", title: redeemed.title, reward: "{}", pointsSpent: 1000n, amountExponent: 2, status: "issued", code: "TALLY-ADMINPRG01" },
    });
    const refused = await post(store, "rewards", { rewardId: String(redeemed.id), intent: "delete" });
    expect(refused).toEqual({ status: 409, body: { ok: false, error: "has_redemptions" } });
    expect(await db.reward.findUnique({ where: { id: redeemed.id } })).not.toBeNull();
    expect((await post(store, "rewards", { rewardId: String(unused.id), intent: "delete" })).status).toBe(200);
    expect(await db.reward.findUnique({ where: { id: unused.id } })).toBeNull();
  });
});

describe("tiers page", () => {
  const store = "admin-program-tiers";
  const shop = `${store}.myshopify.com`;

  it("creates and edits tiers, flags members for the recalculation, and the storefront shows them", async () => {
    await storeOfflineSession(shop);
    await deliverWebhook("orders/paid", orderPayload({ id: 6_400_001, customer: { id: 6_500_001 }, lines: [{ price: "600.00" }] }), { shop });
    expect((await post(store, "tiers", { intent: "save", tierId: "", name: "Silver", thresholdPoints: "200", multiplierPercent: "125" })).status).toBe(200);
    expect((await post(store, "tiers", { intent: "save", tierId: "", name: "Gold", thresholdPoints: "1000", multiplierPercent: "150" })).status).toBe(200);
    const gold = await db.tier.findFirstOrThrow({ where: { shopDomain: shop, name: "Gold" } });
    expect((await post(store, "tiers", { intent: "save", tierId: String(gold.id), name: "Gold", thresholdPoints: "500", multiplierPercent: "200" })).status).toBe(200);

    expect((await publicProgram(shop)).tiers).toEqual([
      expect.objectContaining({ name: "Silver", thresholdPoints: 200, multiplierPercent: 125 }),
      expect.objectContaining({ name: "Gold", thresholdPoints: 500, multiplierPercent: 200 }),
    ]);
    expect(await db.member.findFirstOrThrow({ where: { shopDomain: shop, customerId: 6_500_001n } })).toMatchObject({ tierPending: true });
    expect(await db.job.findUnique({ where: { key: `tier-recalc:${shop}` } })).not.toBeNull();
    const page = await load(store, "tiers");
    expect((page.body.tiers as { name: string }[]).map((tier) => tier.name)).toEqual(["Silver", "Gold"]);
  });

  it.each([
    ["a threshold another tier has", { name: "Copper", thresholdPoints: "200", multiplierPercent: "110" }, "thresholdPoints", "errorThresholdTaken"],
    ["a multiplier below 100", { name: "Tin", thresholdPoints: "50", multiplierPercent: "50" }, "multiplierPercent", "errorMin"],
    ["a multiplier that is not a number", { name: "Tin", thresholdPoints: "50", multiplierPercent: "x" }, "multiplierPercent", "errorWholeNumber"],
    ["a huge threshold", { name: "Tin", thresholdPoints: "100000000000", multiplierPercent: "100" }, "thresholdPoints", "errorMax"],
    ["a missing name", { name: "", thresholdPoints: "50", multiplierPercent: "100" }, "name", "errorRequired"],
  ])("refuses %s with a field error and saves nothing", async (_, fields, field, key) => {
    const before = await db.tier.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" } });
    const answer = await post(store, "tiers", { intent: "save", tierId: "", ...fields });
    expect(answer.status).toBe(422);
    expect((answer.body.fieldErrors as Record<string, { key: string }>)[field]).toMatchObject({ key });
    expect(await db.tier.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" } })).toEqual(before);
  });

  it("refuses to delete a tier rewards are kept for, and another shop's tier", async () => {
    const silver = await db.tier.findFirstOrThrow({ where: { shopDomain: shop, name: "Silver" } });
    await post(store, "reward", { ...REWARD, title: "Silver gift", tierId: String(silver.id) }, { id: "new" });
    const refused = await post(store, "tiers", { intent: "delete", tierId: String(silver.id) });
    expect(refused).toMatchObject({ status: 409, body: { restrictedRewards: ["Silver gift"] } });
    expect(await db.tier.findUnique({ where: { id: silver.id } })).not.toBeNull();

    await storeOfflineSession("admin-program-tiers-other.myshopify.com");
    const foreign = await post("admin-program-tiers-other", "tiers", { intent: "delete", tierId: String(silver.id) });
    expect(foreign.status).toBe(404);
    const foreignEdit = await post("admin-program-tiers-other", "tiers", { intent: "save", tierId: String(silver.id), name: "Mine", thresholdPoints: "10", multiplierPercent: "100" });
    expect(foreignEdit.status).toBe(404);
    expect(await db.tier.findUniqueOrThrow({ where: { id: silver.id } })).toMatchObject({ name: "Silver" });
  });
});
