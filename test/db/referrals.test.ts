// Referrals on a fresh install: a new customer's first paid order carrying a member's code (the
// cart attribute the widget sets, arriving as the note attribute `tally_referral`) earns the
// referrer 500 points, once; cancelling or fully refunding it takes them back; fraud rules hold.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { PENDING_RELEASE } from "~/jobs/pending-jobs.server";
import { REFERRAL_SWEEP } from "~/jobs/referral-jobs.server";
import { verifyLedger } from "~/loyalty/verify.server";
import { testJobRunner } from "../support/jobs";
import { balanceOf, balancesMatchLedger, ledgerOf, memberOf } from "../support/ledger-queries";
import { deliverWebhook, proxyGet } from "../support/routes";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "referral-shop.myshopify.com";
let nextOrder = 8_100_000;
let nextCustomer = 8_200_000;
let nextRefund = 8_300_000;

/** A member, enrolled as the widget enrols a signed-in shopper; their referral code. */
async function referrer(email?: string): Promise<{ customerId: number; code: string }> {
  const customerId = ++nextCustomer;
  if (email) {
    await deliverWebhook("orders/paid", orderPayload({ id: ++nextOrder, customer: { id: customerId, email }, lines: [{ price: "1.00" }] }), { shop: SHOP });
  }
  const response = await proxyGet("customer", { shop: SHOP, customerId });
  const { member } = (await response.json()) as { member: { referralCode: string } };
  return { customerId, code: member.referralCode };
}

function referredOrder(customer: { id: number; email?: string }, code: string, price = "40.00", orderId = ++nextOrder) {
  return { id: orderId, customer, lines: [{ price }], noteAttributes: { tally_referral: code } };
}

const pointsOf = async (customerId: number) => (await balanceOf(db, customerId, SHOP)) ?? 0;

describe("referrals", () => {
  it("credits the referrer 500 points for a new customer's first paid order, once, however often it is delivered", async () => {
    const ada = await referrer();
    const friend = { id: ++nextCustomer };
    const order = orderPayload(referredOrder(friend, ada.code.toLowerCase()));
    const deliveries = await Promise.all(Array.from({ length: 5 }, () => deliverWebhook("orders/paid", order, { shop: SHOP })));
    expect(deliveries.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await pointsOf(ada.customerId)).toBe(500);
    expect(await pointsOf(friend.id)).toBe(40);
    expect(await ledgerOf(db, ada.customerId, SHOP)).toEqual([{ kind: "referral", delta: 500, key: `referral:${friend.id}` }]);
    // A second order of the friend with the code credits nothing more.
    await deliverWebhook("orders/paid", orderPayload(referredOrder(friend, ada.code)), { shop: SHOP });
    expect(await pointsOf(ada.customerId)).toBe(500);

    const view = (await (await proxyGet("customer", { shop: SHOP, customerId: ada.customerId })).json()) as { member: { balance: number; referrals: unknown } };
    expect(view.member).toMatchObject({ balance: 500, referrals: { referred: 1, converted: 1, pointsEarned: 500 } });
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("takes the points back when the referred order is cancelled, or refunded in full (once)", async () => {
    const ada = await referrer();
    const cancelled = referredOrder({ id: ++nextCustomer }, ada.code);
    await deliverWebhook("orders/paid", orderPayload(cancelled), { shop: SHOP });
    const refunded = referredOrder({ id: ++nextCustomer }, ada.code, "30.00");
    await deliverWebhook("orders/paid", orderPayload(refunded), { shop: SHOP });
    expect(await pointsOf(ada.customerId)).toBe(1000);

    const cancel = orderPayload({ ...cancelled, cancelledAt: "2026-11-30T10:00:00Z", updatedAt: "2026-11-30T10:00:00Z" });
    for (let i = 0; i < 2; i++) await deliverWebhook("orders/cancelled", cancel, { shop: SHOP });
    expect(await pointsOf(ada.customerId)).toBe(500);

    // A partial refund keeps the referral; the rest of it voids the order.
    await deliverWebhook("refunds/create", refundPayload({ id: ++nextRefund, orderId: refunded.id, lines: [{ line: 0, quantity: 1, subtotal: "10.00" }] }), { shop: SHOP });
    expect(await pointsOf(ada.customerId)).toBe(500);
    await deliverWebhook("refunds/create", refundPayload({ id: ++nextRefund, orderId: refunded.id, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] }), { shop: SHOP });
    expect(await pointsOf(ada.customerId)).toBe(0);
    expect((await ledgerOf(db, ada.customerId, SHOP)).map((entry) => entry.key)).toEqual([
      `referral:${cancelled.customer.id}`,
      `referral:${refunded.customer.id}`,
      `referral:${cancelled.customer.id}:reversal`,
      `referral:${refunded.customer.id}:reversal`,
    ]);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("refuses self-referral, the same mailbox, a customer who ordered before, and referrals over the weekly cap", async () => {
    const ada = await referrer("Ada.Lovelace@gmail.com");
    const adaPoints = await pointsOf(ada.customerId);
    // Herself.
    await deliverWebhook("orders/paid", orderPayload(referredOrder({ id: ada.customerId, email: "ada.lovelace@gmail.com" }, ada.code)), { shop: SHOP });
    // Another account, the same Gmail mailbox.
    await deliverWebhook("orders/paid", orderPayload(referredOrder({ id: ++nextCustomer, email: "adalovelace+deals@googlemail.com" }, ada.code)), { shop: SHOP });
    // A customer Tally saw order before.
    const regular = { id: ++nextCustomer };
    await deliverWebhook("orders/paid", orderPayload({ id: ++nextOrder, customer: regular, lines: [{ price: "5.00" }] }), { shop: SHOP });
    await deliverWebhook("orders/paid", orderPayload(referredOrder(regular, ada.code)), { shop: SHOP });
    // Her own order earns her its 40 points, and nothing for referring herself.
    expect(await pointsOf(ada.customerId)).toBe(adaPoints + 40);
    const reasons = await db.referral.findMany({ where: { shopDomain: SHOP, referrerMemberId: (await memberOf(db, ada.customerId, SHOP))!.id }, orderBy: { id: "asc" } });
    expect(reasons.map((referral) => [referral.status, referral.reason])).toEqual([
      ["refused", "self_referral"],
      ["refused", "same_email"],
      ["refused", "not_new_customer"],
    ]);
    // A new customer whose first order the friend's offer paid in full: referred, nothing credited.
    const freeOrder = { id: ++nextOrder, customer: { id: ++nextCustomer }, lines: [{ price: "5.00", discount: "5.00" }], noteAttributes: { tally_referral: ada.code } };
    expect((await deliverWebhook("orders/paid", orderPayload(freeOrder), { shop: SHOP })).status).toBe(200);
    expect(await pointsOf(ada.customerId)).toBe(adaPoints + 40);
    expect((await db.referral.findFirstOrThrow({ where: { shopDomain: SHOP, orderId: BigInt(freeOrder.id) } })).reason).toBe("free_order");
    // None of the three before it was someone she referred; the free order's customer was.
    const adaView = (await (await proxyGet("customer", { shop: SHOP, customerId: ada.customerId })).json()) as { member: { referrals: { referred: number } } };
    expect(adaView.member.referrals.referred).toBe(1);

    // The weekly cap (a setting): the third referral in a week is refused.
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const program = JSON.parse(shop.program);
    await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...program, referrals: { ...program.referrals, weeklyCapPerReferrer: 2 } }) } });
    try {
      const grace = await referrer();
      for (let i = 0; i < 3; i++) await deliverWebhook("orders/paid", orderPayload(referredOrder({ id: ++nextCustomer }, grace.code)), { shop: SHOP });
      expect(await pointsOf(grace.customerId)).toBe(1000);
      const view = (await (await proxyGet("customer", { shop: SHOP, customerId: grace.customerId })).json()) as { member: { referrals: unknown } };
      expect(view.member.referrals).toEqual({ referred: 3, converted: 2, pointsEarned: 1000 });
    } finally {
      await db.shop.update({ where: { domain: SHOP }, data: { program: shop.program } });
    }
  });

  it("ignores an unknown or malformed code without an error, and an order without one", async () => {
    const before = await db.referral.count();
    for (const code of ["ZZZZZZZZ", "not a code", ""]) {
      const response = await deliverWebhook("orders/paid", orderPayload(referredOrder({ id: ++nextCustomer }, code)), { shop: SHOP });
      expect(response.status).toBe(200);
    }
    expect(await db.referral.count()).toBe(before);
  });

  it("is off when the merchant turns it off", async () => {
    const ada = await referrer();
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const program = JSON.parse(shop.program);
    await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...program, referrals: { ...program.referrals, enabled: false } }) } });
    try {
      await deliverWebhook("orders/paid", orderPayload(referredOrder({ id: ++nextCustomer }, ada.code)), { shop: SHOP });
      expect(await pointsOf(ada.customerId)).toBe(0);
    } finally {
      await db.shop.update({ where: { domain: SHOP }, data: { program: shop.program } });
    }
  });

  it("the sweep reverses a referral whose reversal was interrupted", async () => {
    const ada = await referrer();
    const order = referredOrder({ id: ++nextCustomer }, ada.code);
    await deliverWebhook("orders/paid", orderPayload(order), { shop: SHOP });
    expect(await pointsOf(ada.customerId)).toBe(500);
    // The cancellation's ledger commit happened, the reversal did not (the process died).
    await db.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain: SHOP, orderId: BigInt(order.id) } }, data: { cancelledAt: new Date() } });
    const runner = testJobRunner(db);
    const sweep = { key: REFERRAL_SWEEP.key, name: REFERRAL_SWEEP.name };
    expect(await runner.runNow(sweep)).toBe("ran");
    expect(await pointsOf(ada.customerId)).toBe(0);
    expect(await runner.runNow(sweep)).toBe("ran");
    expect(await pointsOf(ada.customerId)).toBe(0);
  });
});

describe("referrals with a pending period", () => {
  const shop = "referral-pending-shop.myshopify.com";
  const DAY = 86_400_000;
  const runner = testJobRunner(db);
  const releaseJob = { key: PENDING_RELEASE.key, name: PENDING_RELEASE.name };

  async function pendingReferrer(): Promise<{ customerId: number; code: string }> {
    const customerId = ++nextCustomer;
    const { member } = (await (await proxyGet("customer", { shop, customerId })).json()) as { member: { referralCode: string } };
    return { customerId, code: member.referralCode };
  }
  const pointsOf = async (customerId: number) => {
    const member = await memberOf(db, customerId, shop);
    return { balance: Number(member!.balance), pending: Number(member!.pendingBalance) };
  };
  function placed(customerId: number, code: string, placedAt: Date, price = "40.00") {
    const at = placedAt.toISOString();
    return { ...orderPayload({ ...referredOrder({ id: customerId }, code, price), updatedAt: at }), processed_at: at, created_at: at };
  }
  /** Time passes: the order's and the referral's pending periods are over. */
  async function periodEnds(orderId: number) {
    const past = new Date(Date.now() - 1000);
    await db.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain: shop, orderId: BigInt(orderId) } }, data: { pendingUntil: past } });
    await db.referral.updateMany({ where: { shopDomain: shop, orderId: BigInt(orderId), pendingUntil: { not: null } }, data: { pendingUntil: past } });
  }

  it("credits the referral as pending, and the pending-release job releases it with the order's points, once", async () => {
    await deliverWebhook("customers/create", { id: 8_299_999, email: "setup@example.com" }, { shop });
    const stored = await db.shop.findUniqueOrThrow({ where: { domain: shop } });
    await db.shop.update({ where: { domain: shop }, data: { program: JSON.stringify({ ...JSON.parse(stored.program), pendingDays: 14 }) } });
    const ada = await pendingReferrer();
    const friend = ++nextCustomer;
    const order = placed(friend, ada.code, new Date(Date.now() - DAY));
    for (let i = 0; i < 2; i++) await deliverWebhook("orders/paid", order, { shop });
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 0, pending: 500 });
    const referral = await db.referral.findFirstOrThrow({ where: { shopDomain: shop, orderId: BigInt(order.id) } });
    expect(referral.pendingUntil?.getTime()).toBe(Date.parse(order.processed_at) + 14 * DAY);

    // Not due yet: the job leaves it.
    expect(await runner.runNow(releaseJob)).toBe("ran");
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 0, pending: 500 });
    await periodEnds(order.id);
    for (let i = 0; i < 2; i++) expect(await runner.runNow(releaseJob)).toBe("ran");
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 500, pending: 0 });
    expect(await pointsOf(friend)).toEqual({ balance: 40, pending: 0 });
    expect((await ledgerOf(db, ada.customerId, shop)).map((entry) => entry.key)).toEqual([
      `referral:${friend}`,
      `referral:${friend}:release:pending`,
      `referral:${friend}:release`,
    ]);

    // After the release the referral stands: a full refund takes the friend's points, not Ada's.
    await deliverWebhook("refunds/create", refundPayload({ id: ++nextRefund, orderId: order.id, lines: [{ line: 0, quantity: 1, subtotal: "40.00" }] }), { shop });
    expect(await runner.runNow({ key: REFERRAL_SWEEP.key, name: REFERRAL_SWEEP.name })).toBe("ran");
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 500, pending: 0 });
    expect(await pointsOf(friend)).toEqual({ balance: 0, pending: 0 });
    expect(await db.referral.findUniqueOrThrow({ where: { id: referral.id } })).toMatchObject({ status: "credited", pendingReleased: true });
    expect(await balancesMatchLedger(db)).toEqual([]);
    expect((await verifyLedger(db, { shop })).mismatches).toEqual([]);
  });

  it("takes it from pending when the referred order is cancelled or refunded in full within the period", async () => {
    const ada = await pendingReferrer();
    const cancelled = placed(++nextCustomer, ada.code, new Date(Date.now() - DAY));
    const refunded = placed(++nextCustomer, ada.code, new Date(Date.now() - DAY), "30.00");
    await deliverWebhook("orders/paid", cancelled, { shop });
    await deliverWebhook("orders/paid", refunded, { shop });
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 0, pending: 1000 });

    const at = new Date().toISOString();
    await deliverWebhook("orders/cancelled", { ...cancelled, cancelled_at: at, updated_at: at }, { shop });
    await deliverWebhook("refunds/create", refundPayload({ id: ++nextRefund, orderId: refunded.id, lines: [{ line: 0, quantity: 1, subtotal: "30.00" }] }), { shop });
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 0, pending: 0 });

    // The period ends: nothing is left to release.
    await periodEnds(cancelled.id);
    await periodEnds(refunded.id);
    expect(await runner.runNow(releaseJob)).toBe("ran");
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 0, pending: 0 });
    expect(await db.referral.count({ where: { shopDomain: shop, referrerMemberId: (await memberOf(db, ada.customerId, shop))!.id, status: "reversed" } })).toBe(2);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("reverses instead of releasing when the order was voided but its reversal was interrupted", async () => {
    const ada = await pendingReferrer();
    const friend = ++nextCustomer;
    const order = placed(friend, ada.code, new Date(Date.now() - DAY));
    await deliverWebhook("orders/paid", order, { shop });
    // The cancellation's ledger commit happened, the reversal did not (the process died).
    await db.orderSnapshot.update({ where: { shopDomain_orderId: { shopDomain: shop, orderId: BigInt(order.id) } }, data: { cancelledAt: new Date() } });
    await periodEnds(order.id);
    expect(await runner.runNow(releaseJob)).toBe("ran");
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 0, pending: 0 });
    expect((await ledgerOf(db, ada.customerId, shop)).map((entry) => entry.key)).toEqual([`referral:${friend}`, `referral:${friend}:reversal`]);
  });

  it("credits a referral heard of after its period at once", async () => {
    const ada = await pendingReferrer();
    await deliverWebhook("orders/paid", placed(++nextCustomer, ada.code, new Date(Date.now() - 20 * DAY)), { shop });
    expect(await pointsOf(ada.customerId)).toEqual({ balance: 500, pending: 0 });
  });
});
