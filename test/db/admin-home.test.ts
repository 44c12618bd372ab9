// The admin's Home (app/routes/app._index.tsx): figures over a period summed by the database,
// the setup checklist, and the program's switch, end to end through webhooks and the app proxy.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import type { Dashboard } from "~/loyalty/dashboard.server";
import { adminRequest, storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook, proxyGet, proxyPost } from "../support/routes";
import { customerCreatePayload, orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

type HomeAnswer = Dashboard & { appEmbedLink: string };

async function home(store: string, query = "") {
  const { loader } = await import("~/routes/app._index");
  try {
    return (await loader({ request: await adminRequest(store, `${APP_URL}/app${query}`), params: {}, context: {} })) as unknown as HomeAnswer;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function post(store: string, fields: Record<string, string>) {
  const { action } = await import("~/routes/app._index");
  const request = await adminRequest(store, `${APP_URL}/app?index`);
  const response = await action({ request: new Request(request.url, { method: "POST", body: new URLSearchParams(fields) }), params: {}, context: {} });
  return { status: response.status, body: (await response.json()) as { ok: boolean; errors?: Record<string, string> } };
}

const DAY = 86_400_000;

describe("Home figures", () => {
  const STORE = "home-figures";
  const SHOP = `${STORE}.myshopify.com`;

  it("sums members, points, liability and member orders for the period, for the signed-in shop only", async () => {
    await storeOfflineSession(SHOP);
    // Three customers: Ada orders twice (120.00 and 35.00), Ben once (9.99), Cy never.
    await deliverWebhook("orders/paid", orderPayload({ id: 5_100_001, customer: { id: 5_200_001, firstName: "Ada" }, lines: [{ price: "120.00" }] }), { shop: SHOP });
    await deliverWebhook("orders/paid", orderPayload({ id: 5_100_002, customer: { id: 5_200_001, firstName: "Ada" }, lines: [{ price: "35.00" }] }), { shop: SHOP });
    await deliverWebhook("orders/paid", orderPayload({ id: 5_100_003, customer: { id: 5_200_002 }, lines: [{ price: "9.99" }] }), { shop: SHOP });
    await deliverWebhook("customers/create", customerCreatePayload({ id: 5_200_003 }), { shop: SHOP });
    // 20.00 of Ada's first order refunded: 20 points back.
    await deliverWebhook("refunds/create", refundPayload({ id: 5_100_901, orderId: 5_100_001, lines: [{ line: 1, quantity: 1, subtotal: "20.00" }] }), { shop: SHOP });
    // Another shop's activity is never counted.
    await deliverWebhook("orders/paid", orderPayload({ id: 5_100_009, customer: { id: 5_200_009 }, lines: [{ price: "999.00" }] }), { shop: "home-other.myshopify.com" });
    // A redemption and an expiry this week, and an old earn outside the 7-day period.
    const ada = await db.member.findUniqueOrThrow({ where: { shopDomain_customerId: { shopDomain: SHOP, customerId: 5_200_001n } } });
    const now = Date.now();
    await db.ledgerEntry.createMany({
      data: [
        { shopDomain: SHOP, memberId: ada.id, delta: -100, kind: "redeem", sourceType: "reward", sourceId: "r1", actor: "test", idempotencyKey: "test:redeem", createdAt: new Date(now - DAY) },
        { shopDomain: SHOP, memberId: ada.id, delta: -5, kind: "expiry", sourceType: "expiry", sourceId: "e1", actor: "test", idempotencyKey: "test:expiry", createdAt: new Date(now - DAY) },
        { shopDomain: SHOP, memberId: ada.id, delta: 40, kind: "manual_adjust", sourceType: "manual", sourceId: "m1", actor: "test", idempotencyKey: "test:old", createdAt: new Date(now - 20 * DAY) },
      ],
    });
    await db.member.update({ where: { id: ada.id }, data: { balance: { increment: -100 - 5 + 40 } } });

    const week = (await home(STORE, "?period=7d")) as HomeAnswer;
    expect(week).toMatchObject({
      period: "7d",
      members: { total: 3, joined: 3 },
      // 120 + 35 + 9 earned, 20 refunded: 144 issued this week; the 40 of 20 days ago is not.
      points: { issued: 144, redeemed: 100, expired: 5, outstanding: 144 - 105 + 40 },
      redemptionRate: 69.4,
      // The default reward (5.00 for 500 points): a point is worth 1 cent.
      liability: { minor: 79, reward: { costPoints: 500, amountMinor: 500 } },
      // Ada has two paid orders, Ben one: 1 of 2 buyers repeated; average (120 + 35 + 9.99) / 3.
      memberOrders: { orders: 3, buyers: 2, repeatRate: 50, averageMinor: 5500 },
      currency: "USD",
    });
    expect(week.series).toHaveLength(7);
    expect(week.series.reduce((sum, day) => sum + day.issued, 0)).toBe(144);
    expect(week.series.at(-2)).toMatchObject({ redeemed: 100 });
    expect(week.appEmbedLink).toBe(`https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${process.env.SHOPIFY_API_KEY}/launcher`);

    const month = (await home(STORE, "?period=30d")) as HomeAnswer;
    expect(month.points.issued).toBe(184);
    const year = (await home(STORE, "?period=12m")) as HomeAnswer;
    expect(year.series).toHaveLength(12);
    expect(year.points.issued).toBe(184);
  });

  it("counts credited referrals for the top referrers", async () => {
    const store = "home-referrals";
    const shop = `${store}.myshopify.com`;
    await storeOfflineSession(shop);
    await deliverWebhook("orders/paid", orderPayload({ id: 5_300_001, customer: { id: 5_400_001, firstName: "Grace", lastName: "Hopper" }, lines: [{ price: "10.00" }] }), { shop });
    const grace = await db.member.findUniqueOrThrow({ where: { shopDomain_customerId: { shopDomain: shop, customerId: 5_400_001n } } });
    for (const [i, friend] of [5_400_002, 5_400_003].entries()) {
      await deliverWebhook(
        "orders/paid",
        orderPayload({ id: 5_300_010 + i, customer: { id: friend, email: `friend${i}@example.com` }, lines: [{ price: "20.00" }], noteAttributes: { tally_referral: grace.referralCode } }),
        { shop },
      );
    }
    const figures = (await home(store)) as HomeAnswer;
    expect(figures.topReferrers).toEqual([{ memberId: grace.id, name: "Grace Hopper", referrals: 2, points: 1000 }]);
  });

  it("answers an unknown period with 400 and a message", async () => {
    await storeOfflineSession("home-bad-period.myshopify.com");
    const answer = await home("home-bad-period", "?period=5y");
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).status).toBe(400);
    expect(await (answer as Response).json()).toMatchObject({ error: { code: "invalid_period" } });
  });

  it("shows an empty shop with no members and nothing to divide", async () => {
    await storeOfflineSession("home-empty.myshopify.com");
    const figures = (await home("home-empty")) as HomeAnswer;
    expect(figures).toMatchObject({ members: { total: 0 }, points: { issued: 0, redeemed: 0, expired: 0, outstanding: 0 }, redemptionRate: null, memberOrders: { averageMinor: null, repeatRate: null }, topReferrers: [] });
  });

  it("refuses a request without a valid session token", async () => {
    const { loader } = await import("~/routes/app._index");
    const thrown = await Promise.resolve(loader({ request: new Request(`${APP_URL}/app?shop=${SHOP}&embedded=1`), params: {}, context: {} })).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Response);
    expect([302, 401, 410]).toContain((thrown as Response).status);
  });
});

describe("the setup checklist", () => {
  const STORE = "home-checklist";
  const SHOP = `${STORE}.myshopify.com`;

  it("ticks steps off and back on, kept per shop", async () => {
    await storeOfflineSession(SHOP);
    const before = (await home(STORE)) as HomeAnswer;
    expect(before.checklist).toEqual([
      { step: "app_embed", doneAt: null },
      { step: "earning_rate", doneAt: null },
      { step: "reward", doneAt: null },
    ]);
    expect((await post(STORE, { intent: "complete-step", step: "earning_rate" })).status).toBe(200);
    expect((await post(STORE, { intent: "complete-step", step: "app_embed" })).status).toBe(200);
    const after = (await home(STORE)) as HomeAnswer;
    expect(after.checklist.map((step) => step.doneAt !== null)).toEqual([true, true, false]);
    await storeOfflineSession("home-checklist-other.myshopify.com");
    expect((await home("home-checklist-other")) as HomeAnswer).toMatchObject({ checklist: [{ doneAt: null }, { doneAt: null }, { doneAt: null }] });

    expect((await post(STORE, { intent: "reopen-step", step: "app_embed" })).status).toBe(200);
    expect(((await home(STORE)) as HomeAnswer).checklist.map((step) => step.doneAt !== null)).toEqual([false, true, false]);
  });

  it("finds the reward step done once the shop has a reward of its own", async () => {
    await storeOfflineSession("home-reward.myshopify.com");
    await home("home-reward");
    await db.reward.create({ data: { shopDomain: "home-reward.myshopify.com", title: "Free shipping", kind: "free_shipping", costPoints: 300 } });
    expect(((await home("home-reward")) as HomeAnswer).checklist.find((step) => step.step === "reward")?.doneAt).toBe("found");
  });

  it("answers bad input with field errors and changes nothing", async () => {
    await storeOfflineSession(SHOP);
    const steps = await db.setupStep.count({ where: { shopDomain: SHOP } });
    const program = (await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program;
    for (const [fields, field] of [
      [{ intent: "complete-step", step: "launch_rocket" }, "step"],
      [{ intent: "complete-step" }, "step"],
      [{ intent: "set-program", enabled: "maybe" }, "enabled"],
      [{ intent: "drop-tables" }, "intent"],
      [{}, "intent"],
    ] as const) {
      const { status, body } = await post(STORE, fields);
      expect(status).toBe(400);
      expect(body.ok).toBe(false);
      expect(Object.keys(body.errors ?? {})).toContain(field);
    }
    expect(await db.setupStep.count({ where: { shopDomain: SHOP } })).toBe(steps);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program).toBe(program);
  });
});

describe("turning the program off", () => {
  const STORE = "home-off";
  const SHOP = `${STORE}.myshopify.com`;
  const balance = async (customerId: bigint) =>
    Number((await db.member.findUnique({ where: { shopDomain_customerId: { shopDomain: SHOP, customerId } } }))?.balance ?? 0n);

  it("stops earning, bonuses and redemption and hides the widget, keeps balances; refunds of earlier orders still count", async () => {
    await storeOfflineSession(SHOP);
    await deliverWebhook("orders/paid", orderPayload({ id: 5_500_001, customer: { id: 5_600_001 }, lines: [{ price: "700.00" }] }), { shop: SHOP });
    expect(await balance(5_600_001n)).toBe(700);
    await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...JSON.parse((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).program), signupPoints: 50 }) } });

    expect((await post(STORE, { intent: "set-program", enabled: "off" })).status).toBe(200);
    expect(((await home(STORE)) as HomeAnswer).program.enabled).toBe(false);

    // An order paid while off earns nothing, then or later.
    await deliverWebhook("orders/paid", { ...orderPayload({ id: 5_500_002, customer: { id: 5_600_001 }, lines: [{ price: "300.00" }] }), processed_at: new Date().toISOString() }, { shop: SHOP });
    expect(await balance(5_600_001n)).toBe(700);
    // No signup bonus while off.
    await deliverWebhook("customers/create", customerCreatePayload({ id: 5_600_002 }), { shop: SHOP });
    expect(await balance(5_600_002n)).toBe(0);
    // A refund of an order paid while on still takes its points back.
    await deliverWebhook("refunds/create", refundPayload({ id: 5_500_901, orderId: 5_500_001, lines: [{ line: 1, quantity: 1, subtotal: "100.00" }] }), { shop: SHOP });
    expect(await balance(5_600_001n)).toBe(600);

    // The storefront: the program says it is off, and nothing is redeemed.
    const program = (await (await proxyGet("program", { shop: SHOP, customerId: 5_600_001 })).json()) as { program: { enabled: boolean; rewards: { id: number }[] } };
    expect(program.program.enabled).toBe(false);
    const customer = (await (await proxyGet("customer", { shop: SHOP, customerId: 5_600_001 })).json()) as { program: { enabled: boolean }; member: { balance: number } };
    expect(customer).toMatchObject({ program: { enabled: false }, member: { balance: 600 } });
    const redeem = await proxyPost("redeem", { rewardId: program.program.rewards[0].id }, { shop: SHOP, customerId: 5_600_001 });
    expect(redeem.status).toBe(403);
    expect(await redeem.json()).toMatchObject({ error: { code: "program_off" } });
    expect(await balance(5_600_001n)).toBe(600);
    expect(await db.redemption.count({ where: { shopDomain: SHOP } })).toBe(0);
    // The storefront's copy of the program is marked for rewriting.
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).programPublishedHash).toBeNull();

    // On again: new orders earn; the order paid while off stays at nothing.
    expect((await post(STORE, { intent: "set-program", enabled: "on" })).status).toBe(200);
    await deliverWebhook("orders/paid", orderPayload({ id: 5_500_003, customer: { id: 5_600_001 }, lines: [{ price: "50.00" }] }), { shop: SHOP });
    await deliverWebhook("orders/paid", { ...orderPayload({ id: 5_500_002, customer: { id: 5_600_001 }, lines: [{ price: "300.00" }] }), processed_at: new Date().toISOString() }, { shop: SHOP });
    expect(await balance(5_600_001n)).toBe(650);
    expect(((await (await proxyGet("program", { shop: SHOP, customerId: 5_600_001 })).json()) as { program: { enabled: boolean } }).program.enabled).toBe(true);
  });
});
