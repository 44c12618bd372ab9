// Points expiry through the real webhooks and the hourly job: a member inactive for the shop's
// expiry period loses their available points once, any activity starts the clock again, and
// Shopify Flow hears 30 and 3 days before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { requestJob } from "~/jobs/job-store.server";
import { POINTS_EXPIRY } from "~/jobs/expiry-jobs.server";
import { FLOW_TRIGGERS } from "~/loyalty/flow-events";
import { expireInactivePoints, recordExpiryReminders } from "~/loyalty/points-expiry.server";
import { sendFlowTriggers } from "~/shopify/flow-triggers.server";
import { storeOfflineSession } from "../support/admin-session";
import { runDueJobs } from "../support/jobs";
import { balancesMatchLedger, ledgerOf, memberOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { adminApiStandIn } from "../support/shopify-admin-api";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "expiry-shop.myshopify.com";
const DAY = 86_400_000;
const shopify = adminApiStandIn();

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
  await deliverWebhook("customers/create", { id: 6_600_999, email: "setup@example.com" }, { shop: SHOP });
  const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
  await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...JSON.parse(shop.program), expiryDays: 365 }) } });
});
afterAll(() => shopify.close());

/** A member who earned `price` points and was last active `daysAgo` days ago. */
async function memberInactiveFor(customerId: number, orderId: number, price: string, daysAgo: number) {
  await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price }] }), { shop: SHOP });
  await db.member.updateMany({ where: { shopDomain: SHOP, customerId: BigInt(customerId) }, data: { lastActivityMs: BigInt(Date.now() - daysAgo * DAY) } });
}

describe("points expiry", () => {
  it("takes the points of a member inactive for the period, once, and leaves active members alone", async () => {
    await memberInactiveFor(6_600_001, 6_610_001, "80.00", 400);
    await memberInactiveFor(6_600_002, 6_610_002, "30.00", 100);
    expect(await expireInactivePoints(db, SHOP, 365)).toBe(1);
    expect(await expireInactivePoints(db, SHOP, 365)).toBe(0);
    expect(Number((await memberOf(db, 6_600_001, SHOP))!.balance)).toBe(0);
    expect((await ledgerOf(db, 6_600_001, SHOP)).map((entry) => [entry.kind, entry.delta])).toEqual([
      ["earn", 80],
      ["expiry", -80],
    ]);
    expect(Number((await memberOf(db, 6_600_002, SHOP))!.balance)).toBe(30);

    // Earning again starts afresh: the new points are the member's until the next inactive year.
    await deliverWebhook("orders/paid", orderPayload({ id: 6_610_003, customer: { id: 6_600_001 }, lines: [{ price: "20.00" }] }), { shop: SHOP });
    expect(await expireInactivePoints(db, SHOP, 365)).toBe(0);
    expect(Number((await memberOf(db, 6_600_001, SHOP))!.balance)).toBe(20);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("runs as the hourly job, and reminds through Flow 30 and 3 days before, once each", async () => {
    await memberInactiveFor(6_600_004, 6_610_004, "55.00", 365 - 30 + 0.5);
    await memberInactiveFor(6_600_005, 6_610_005, "45.00", 365 - 3 + 0.2);
    await memberInactiveFor(6_600_006, 6_610_006, "10.00", 370);
    await requestJob(db, { key: POINTS_EXPIRY.key, name: POINTS_EXPIRY.name });
    await runDueJobs(db);
    expect(Number((await memberOf(db, 6_600_006, SHOP))!.balance)).toBe(0);
    expect(Number((await memberOf(db, 6_600_004, SHOP))!.balance)).toBe(55);
    // A second run records no reminder twice.
    expect(await recordExpiryReminders(db, SHOP, 365)).toBe(0);

    await sendFlowTriggers(SHOP);
    const reminders = shopify.shopify.flowTriggers.filter((trigger) => trigger.handle === FLOW_TRIGGERS.pointsExpiring).map((trigger) => trigger.payload);
    expect(reminders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ customer_id: 6_600_004, "Points expiring": 55, "Days left": 30 }),
        expect.objectContaining({ customer_id: 6_600_005, "Points expiring": 45, "Days left": 3 }),
      ]),
    );
    expect(reminders).toHaveLength(2);
    expect(reminders[0]["Expires on"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
