// The storefront sync as background jobs: one writer per shop across processes (an older
// summary never lands over a newer one), Shopify's rate limits respected, and no retries for a
// shop whose token Shopify refuses.
import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { shopsWithPendingSummaries } from "~/loyalty/customer-summary.server";
import { markInstalled } from "~/loyalty/shops.server";
import { MEMBERS_PER_MUTATION, SUMMARY_SWEEP, syncCustomerSummaries } from "~/shopify/customer-summary-sync.server";
import { customerSummariesJob } from "~/shopify/summary-sync-request.server";
import { storeOfflineSession } from "../support/admin-session";
import { testJobRunner } from "../support/jobs";
import { deliverWebhook } from "../support/routes";
import { adminApiStandIn, shopifySucceeds, type GraphqlCall } from "../support/shopify-admin-api";
import type { ShopifyAdmin } from "../../dev/simulator/shopify-admin";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const shopify = adminApiStandIn();
beforeAll(() => shopify.listen());
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.calls.length = 0;
  shopify.answerWith(shopifySucceeds);
});

const isSummaryWrite = (call: GraphqlCall) =>
  call.query.includes("metafieldsSet") && (call.variables.metafields as { key: string }[]).some((m) => m.key === "summary");
const balanceAtShopify = (shop: string, customerId: number) => JSON.parse(shopify.metafield(shop, `gid://shopify/Customer/${customerId}`) ?? "null")?.balance;
let nextOrder = 7_700_000;
const order = (shop: string, customerId: number, price: string) =>
  deliverWebhook("orders/paid", orderPayload({ id: ++nextOrder, customer: { id: customerId }, lines: [{ price }] }), { shop });

describe("one writer per shop", () => {
  it("never lets a slower, staler flush overwrite a newer summary, with two processes flushing at once", async () => {
    const shop = "two-flushes.myshopify.com";
    await storeOfflineSession(shop);
    await order(shop, 7_800_001, "42.00");
    // Shopify is slow to answer the first summary write; track how many are in flight at once.
    let release!: () => void;
    const slowFirstWrite = new Promise<void>((resolve) => (release = resolve));
    let inFlight = 0;
    let mostInFlight = 0;
    let summaryWrites = 0;
    shopify.answerWith(async (call, admin) => {
      if (!isSummaryWrite(call)) return shopifySucceeds(call, admin);
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      if (++summaryWrites === 1) await slowFirstWrite;
      inFlight--;
      return shopifySucceeds(call, admin);
    });
    const processA = testJobRunner(db, "process-a");
    const processB = testJobRunner(db, "process-b");

    const first = processA.runNow(customerSummariesJob(shop));
    // A loaded machine may take a while to get there.
    await vi.waitFor(() => expect(summaryWrites).toBe(1), { timeout: 10_000 });
    // The balance changes while A's write (of 42) is in flight; B is asked to flush the new one.
    await order(shop, 7_800_001, "10.00");
    expect(await processB.runNow(customerSummariesJob(shop))).toBe("busy");
    release();
    expect(await first).toBe("ran");
    // B's request makes the job run again after A: the newer summary is written last.
    await processB.runDueJobs();
    expect(balanceAtShopify(shop, 7_800_001)).toBe(52);
    expect(mostInFlight).toBe(1);
    expect(await db.job.count({ where: { shopDomain: shop } })).toBe(0);
  });
});

describe("Shopify's rate limits", () => {
  const throttled = (call: GraphqlCall, admin: ShopifyAdmin) =>
    isSummaryWrite(call)
      ? (HttpResponse.json({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 4, restoreRate: 100 } } },
        }) as unknown as Response)
      : shopifySucceeds(call, admin);

  it("waits as long as Shopify's bucket needs when THROTTLED, without retrying in a loop or blaming the member", async () => {
    const shop = "throttled.myshopify.com";
    await storeOfflineSession(shop);
    await order(shop, 7_800_101, "10.00");
    shopify.answerWith(throttled);
    const result = await syncCustomerSummaries(shop);
    expect(result.runAgainInMs).toBeGreaterThanOrEqual(1_000);
    expect(shopify.calls.filter(isSummaryWrite)).toHaveLength(1);
    const member = await db.member.findFirstOrThrow({ where: { shopDomain: shop } });
    expect(member).toMatchObject({ summarySyncAttempts: 0, summaryRetryAt: null });
    expect(member.summarySyncedVersion).toBeLessThan(member.summaryVersion);

    // As a job: rescheduled for when the bucket has room, not counted as a failure.
    const before = Date.now();
    expect(await testJobRunner(db).runNow(customerSummariesJob(shop))).toBe("ran");
    const job = await db.job.findUniqueOrThrow({ where: { key: customerSummariesJob(shop).key } });
    expect(job.attempts).toBe(0);
    expect(Number(job.runAt)).toBeGreaterThanOrEqual(before + 1_000);
  });

  it("stops before the bucket runs dry: the next batch waits for throttleStatus to allow it", async () => {
    const shop = "nearly-dry.myshopify.com";
    await storeOfflineSession(shop);
    for (let i = 0; i < 30; i++) await order(shop, 7_800_200 + i, "1.00");
    // Each answer says the bucket is empty and refills at 1 point a second: 10 s for the next call.
    shopify.answerWith(async (call, admin) => {
      const answer = await (shopifySucceeds(call, admin) as Response).json();
      return HttpResponse.json({ ...answer, extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 0, restoreRate: 1 } } } }) as unknown as Response;
    });
    const result = await syncCustomerSummaries(shop);
    expect(result.written).toBe(MEMBERS_PER_MUTATION);
    expect(result.runAgainInMs).toBeGreaterThanOrEqual(9_000);
    expect(shopify.calls.filter(isSummaryWrite)).toHaveLength(1);
  });
});

describe("a shop whose token Shopify refuses", () => {
  it("stops calling Shopify for it (no retry storm) until it installs again", async () => {
    const shop = "revoked.myshopify.com";
    await storeOfflineSession(shop);
    await order(shop, 7_800_301, "10.00");
    shopify.answerWith(() => HttpResponse.json({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }, { status: 401 }) as unknown as Response);
    expect(await syncCustomerSummaries(shop)).toMatchObject({ blocked: true, written: 0 });
    expect((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).syncBlockedAt).toBeInstanceOf(Date);
    const calls = shopify.calls.length;

    // The sweep no longer asks for it, however often it runs.
    expect(await shopsWithPendingSummaries(db)).not.toContain(shop);
    const runner = testJobRunner(db);
    for (let i = 0; i < 3; i++) await runner.runNow({ key: SUMMARY_SWEEP.key, name: SUMMARY_SWEEP.name });
    expect(await db.job.count({ where: { shopDomain: shop } })).toBe(0);
    expect(shopify.calls.length).toBe(calls);

    // Installed again (OAuth): the sweep picks it up.
    await markInstalled(db, shop);
    expect(await shopsWithPendingSummaries(db)).toContain(shop);
  });

  it("leaves an uninstalled shop alone", async () => {
    const shop = "uninstalled.myshopify.com";
    await storeOfflineSession(shop);
    await order(shop, 7_800_401, "10.00");
    const payload = { id: 954_889_111, name: "Gone", domain: shop, myshopify_domain: shop };
    expect((await deliverWebhook("app/uninstalled", payload, { shop })).status).toBe(200);
    expect(await shopsWithPendingSummaries(db)).not.toContain(shop);
    expect(await syncCustomerSummaries(shop)).toMatchObject({ noSession: true });
    expect(shopify.calls).toHaveLength(0);
  });
});
