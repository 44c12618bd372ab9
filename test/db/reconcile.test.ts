// Reconciliation against a Shopify stand-in (msw, with the in-memory model answering paged Admin
// GraphQL like Shopify, each document checked against the pinned schema): orders whose webhooks
// were missed are repaired, ending at the balances the webhooks alone would have left; a
// throttled page is waited for; running it again, or twice at once, changes nothing more.
import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { requestJob } from "~/jobs/job-store.server";
import db from "~/db.server";
import { ensureShop } from "~/loyalty/shops.server";
import { inTransaction } from "~/loyalty/transaction.server";
import { verifyLedger } from "~/loyalty/verify.server";
import { adminGraphqlFor } from "~/shopify/admin-client.server";
import { RECONCILE_BULK_RUN } from "~/shopify/graphql/reconcile-bulk";
import { reconcileShop } from "~/shopify/reconcile.server";
import { nextWindowStart, RECONCILE_SWEEP, shopsDueForReconciliation } from "~/shopify/reconcile-jobs.server";
import { testJobRunner } from "../support/jobs";
import { storeOfflineSession } from "../support/admin-session";
import { deliverWebhook } from "../support/routes";
import { adminApiStandIn, shopifySucceeds, type GraphqlCall } from "../support/shopify-admin-api";
import { orderPayload, refundPayload, type OrderSpec } from "../../dev/simulator/shopify-payloads";
import type { ShopifyAdmin } from "../../dev/simulator/shopify-admin";

const WEBHOOKS_ONLY = "webhooks-only.myshopify.com";
const shopify = adminApiStandIn();
const SINCE = new Date("2026-11-19T00:00:00Z");
const UNTIL = new Date("2026-11-25T00:00:00Z");
const at = (minute: number) => `2026-11-20T10:${String(minute).padStart(2, "0")}:00-05:00`;

interface Event {
  topic: string;
  payload: unknown;
  /** Missed by the shop under reconciliation. */
  missed: boolean;
}

/** Orders' lives as Shopify delivers them, and each order's final state (what GraphQL serves). */
function orderLives() {
  const events: Event[] = [];
  const finals: { order: ReturnType<typeof orderPayload>; refunds: ReturnType<typeof refundPayload>[] }[] = [];
  const paid = (spec: OrderSpec, missed = false) => events.push({ topic: "orders/paid", payload: orderPayload({ updatedAt: at(1), ...spec }), missed });
  const updated = (spec: OrderSpec, missed = false) => events.push({ topic: "orders/updated", payload: orderPayload(spec), missed });

  // Refunded: refunds/create missed, the orders/updated that came with it delivered.
  const o1 = { id: 5_100_001, customer: { id: 5_200_001 }, lines: [{ price: "80.00" }, { price: "20.00" }] };
  const r1 = refundPayload({ id: 5_300_001, orderId: o1.id, lines: [{ line: 1, quantity: 1, subtotal: "20.00" }] });
  const o1Final = { ...o1, updatedAt: at(3), lines: [o1.lines[0], { ...o1.lines[1], currentQuantity: 0 }], refunds: [r1] };
  paid(o1);
  events.push({ topic: "refunds/create", payload: r1, missed: true });
  updated(o1Final);
  finals.push({ order: orderPayload(o1Final), refunds: [r1] });

  // Edited (a unit removed): the orders/updated missed.
  const o2 = { id: 5_100_002, customer: { id: 5_200_002 }, lines: [{ price: "25.00", quantity: 2 }] };
  const o2Final = { ...o2, updatedAt: at(4), lines: [{ price: "25.00", quantity: 2, currentQuantity: 1 }] };
  paid(o2);
  updated(o2Final, true);
  finals.push({ order: orderPayload(o2Final), refunds: [] });

  // Paid, then cancelled: every webhook missed (the app was down).
  const o3 = { id: 5_100_003, customer: { id: 5_200_001 }, lines: [{ price: "70.00" }] };
  const o3Final = { ...o3, updatedAt: at(5), cancelledAt: at(5) };
  paid(o3, true);
  events.push({ topic: "orders/cancelled", payload: orderPayload(o3Final), missed: true });
  finals.push({ order: orderPayload(o3Final), refunds: [] });

  // The merchant gave the order another customer: that orders/updated missed.
  const o4 = { id: 5_100_004, customer: { id: 5_200_003 }, lines: [{ price: "30.00" }] };
  const o4Final = { ...o4, updatedAt: at(6), customer: { id: 5_200_004 } };
  paid(o4);
  updated(o4Final, true);
  finals.push({ order: orderPayload(o4Final), refunds: [] });

  // Tax included, a discount, a gift card line: orders/paid missed.
  const o5 = { id: 5_100_005, customer: { id: 5_200_002 }, taxesIncluded: true, lines: [{ price: "45.00", discount: "5.00", tax: "4.60" }, { price: "50.00", giftCard: true }] };
  paid(o5, true);
  finals.push({ order: orderPayload({ updatedAt: at(1), ...o5 }), refunds: [] });

  // Never paid: earns nothing either way.
  const o6 = { id: 5_100_006, customer: { id: 5_200_003 }, financialStatus: "pending", updatedAt: at(2), lines: [{ price: "20.00" }] };
  updated(o6, true);
  finals.push({ order: orderPayload(o6), refunds: [] });

  // Enough plain orders for several pages; every third orders/paid missed.
  for (let i = 0; i < 30; i++) {
    const spec = { id: 5_110_000 + i, customer: { id: 5_210_000 + (i % 7) }, lines: [{ price: `${10 + i}.50` }] };
    paid(spec, i % 3 === 0);
    finals.push({ order: orderPayload({ updatedAt: at(1), ...spec }), refunds: [] });
  }
  return { events, finals };
}

async function deliverAll(shop: string, events: Event[], includeMissed: boolean) {
  for (const event of events) {
    if (event.missed && !includeMissed) continue;
    const response = await deliverWebhook(event.topic, event.payload, { shop });
    expect(response.status, `${event.topic} to ${shop}`).toBe(200);
  }
}

async function balances(shop: string): Promise<Record<string, number>> {
  const members = await db.member.findMany({ where: { shopDomain: shop }, orderBy: { customerId: "asc" } });
  return Object.fromEntries(members.filter((member) => member.balance !== 0n || member.lifetimeEarned !== 0n).map((member) => [String(member.customerId), Number(member.balance)]));
}

const { events, finals } = orderLives();
let expected: Record<string, number>;

/** A shop that missed the webhooks marked missed, whose orders Shopify holds. */
async function shopThatMissedWebhooks(shop: string) {
  await storeOfflineSession(shop);
  for (const { order, refunds } of finals) shopify.shopify.putOrder(shop, order, refunds);
  await deliverAll(shop, events, false);
  const graphql = await adminGraphqlFor(shop);
  if (!graphql) throw new Error("no Admin API client");
  return graphql;
}

const noSleep = { waits: [] as number[], sleep: async (ms: number) => void noSleep.waits.push(ms) };

beforeAll(async () => {
  shopify.listen();
  await deliverAll(WEBHOOKS_ONLY, events, true);
  expected = await balances(WEBHOOKS_ONLY);
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.calls.length = 0;
  noSleep.waits.length = 0;
  shopify.answerWith(shopifySucceeds);
});

describe("reconciliation", () => {
  it("repairs what the missed webhooks would have done: balances equal the webhook-only path", async () => {
    const shop = "reconcile-a.myshopify.com";
    const graphql = await shopThatMissedWebhooks(shop);
    expect(await balances(shop)).not.toEqual(expected);

    const report = await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "cli", pageSize: 10, sleep: noSleep.sleep });
    expect(await balances(shop)).toEqual(expected);
    expect((await verifyLedger(db, { shop })).mismatches).toEqual([]);

    expect(report).toMatchObject({ pages: 4, ordersSeen: 36, ordersSkipped: 0 });
    // o1 (refund), o2 (edit), o4 (moved: a repair with no net points), o5, and 10 plain orders;
    // o3 (paid and cancelled) and o6 (unpaid) are worth nothing either way.
    expect(report.ordersRepaired).toBe(14);
    expect(report.repairs).toEqual(expect.arrayContaining([{ orderId: "5100001", customerId: "5200001", delta: -20 }]));
    // Orders the webhooks had brought up to date cost no detail call.
    expect(report.ordersFetched).toBeLessThan(report.ordersSeen);
    const run = await db.reconcileRun.findFirstOrThrow({ where: { shopDomain: shop } });
    expect(run).toMatchObject({ status: "done", ordersSeen: 36, ordersRepaired: 14, trigger: "cli" });

    // Every document sent is valid against the pinned Admin schema (the model refuses others).
    const pageCalls = shopify.calls.filter((call) => /ReconcileOrderPage/.test(call.query));
    expect(pageCalls.map((call) => call.variables.after ?? null)).toHaveLength(4);
    expect(String(pageCalls[0].variables.query)).toBe(`updated_at:>='${SINCE.toISOString()}' AND updated_at:<='${UNTIL.toISOString()}'`);

    // Again: nothing more to repair, not a ledger row more.
    const rows = await db.ledgerEntry.count({ where: { shopDomain: shop } });
    const again = await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "cli", pageSize: 10, sleep: noSleep.sleep });
    expect(again.ordersRepaired).toBe(0);
    expect(await db.ledgerEntry.count({ where: { shopDomain: shop } })).toBe(rows);
    expect(await balances(shop)).toEqual(expected);
  });

  it("waits for a throttled page, as long as Shopify's bucket needs, and goes on", async () => {
    const shop = "reconcile-throttled.myshopify.com";
    const graphql = await shopThatMissedWebhooks(shop);
    let pages = 0;
    shopify.answerWith((call: GraphqlCall, admin: ShopifyAdmin) => {
      if (/ReconcileOrderPage/.test(call.query) && ++pages === 2) {
        return HttpResponse.json({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: 12, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2, restoreRate: 5 } } },
        }) as unknown as Response;
      }
      return shopifySucceeds(call, admin);
    });
    const report = await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "job", pageSize: 10, sleep: noSleep.sleep });
    expect(report.pages).toBe(4);
    expect(pages).toBe(5); // the throttled page asked again
    expect(noSleep.waits).toContain(2000); // (12 − 2) points at 5 a second
    expect(await balances(shop)).toEqual(expected);
  });

  it("run twice at once, repairs each order once and ends at the same balances", async () => {
    const shop = "reconcile-twice.myshopify.com";
    const graphql = await shopThatMissedWebhooks(shop);
    const options = { since: SINCE, until: UNTIL, trigger: "job" as const, pageSize: 10, sleep: noSleep.sleep };
    const before = await pointsHeld(shop);
    const [first, second] = await Promise.all([reconcileShop(db, shop, graphql, options), reconcileShop(db, shop, graphql, options)]);
    expect(await balances(shop)).toEqual(expected);
    expect((await verifyLedger(db, { shop })).ok).toBe(true);
    // Each repair is reported by the run that made it: together they account for every point.
    expect(first.pointsRepaired + second.pointsRepaired).toBe((await pointsHeld(shop)) - before);
    expect(first.ordersRepaired + second.ordersRepaired).toBeGreaterThanOrEqual(14);
    const third = await reconcileShop(db, shop, graphql, options);
    expect(third.ordersRepaired).toBe(0);
  });

  it("asks for fewer orders a call when Shopify says a call costs too much (MAX_COST_EXCEEDED)", async () => {
    const shop = "reconcile-costly.myshopify.com";
    const graphql = await shopThatMissedWebhooks(shop);
    shopify.answerWith((call: GraphqlCall, admin: ShopifyAdmin) => {
      const ids = (call.variables.ids as unknown[] | undefined)?.length ?? 0;
      if (/ReconcileOrderDetails/.test(call.query) && ids > 2) {
        return HttpResponse.json({
          errors: [{ message: `Query cost is ${ids * 400}, which exceeds the single query max cost limit (1000).`, extensions: { code: "MAX_COST_EXCEEDED", cost: ids * 400, maxCost: 1000 } }],
        }) as unknown as Response;
      }
      return shopifySucceeds(call, admin);
    });
    await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "job", pageSize: 10, sleep: noSleep.sleep });
    expect(await balances(shop)).toEqual(expected);
  });

  it("runs daily per shop through the job runner: the sweep asks, the job repairs, the next window starts where it ended", async () => {
    const shop = "reconcile-job.myshopify.com";
    await shopThatMissedWebhooks(shop);
    // The job's window ends now; these orders were updated in the past, within the first window.
    const now = new Date();
    for (const { order, refunds } of finals) shopify.shopify.putOrder(shop, { ...order, updated_at: new Date(now.getTime() - 3_600_000).toISOString() }, refunds);
    expect(await shopsDueForReconciliation(db, now)).toContain(shop);

    const runner = testJobRunner(db);
    await runner.runNow({ key: RECONCILE_SWEEP.key, name: RECONCILE_SWEEP.name });
    expect(await db.job.findUnique({ where: { key: `reconcile:${shop}` } })).not.toBeNull();
    expect(await runner.runIfFree(`reconcile:${shop}`)).toBe("ran");

    expect(await balances(shop)).toEqual(expected);
    const run = await db.reconcileRun.findFirstOrThrow({ where: { shopDomain: shop }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ trigger: "job", status: "done", ordersRepaired: 14 });
    expect(await shopsDueForReconciliation(db, new Date())).not.toContain(shop);
    expect((await nextWindowStart(db, shop, new Date())).getTime()).toBe(run.until.getTime() - 3_600_000);
  });
});

describe("reconciliation of a large window with a bulk operation", () => {
  const callNames = (shop: string) => shopify.calls.filter((call) => call.shop === shop).map((call) => /(?:query|mutation) (\w+)/.exec(call.query)?.[1]);

  it("reads the window's orders from the JSONL file: the same balances as the webhook path; again, nothing changes", async () => {
    const shop = "reconcile-bulk.myshopify.com";
    const graphql = await shopThatMissedWebhooks(shop);
    const options = { since: SINCE, until: UNTIL, trigger: "job" as const, bulkMinOrders: 20, sleep: noSleep.sleep };
    const report = await reconcileShop(db, shop, graphql, options);
    expect(await balances(shop)).toEqual(expected);
    expect((await verifyLedger(db, { shop })).mismatches).toEqual([]);
    expect(report).toMatchObject({ pages: 0, ordersSeen: 36, ordersSkipped: 0, ordersRepaired: 14 });
    expect(report.bulkOperationId).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);

    // A count, the operation, its polls (every BULK_POLL_MS while RUNNING), and the lines of o1's
    // refund (not in the file: a connection inside the refunds list cannot be bulk-read).
    expect(callNames(shop)).toEqual(["ReconcileOrdersCount", "ReconcileBulkRun", "ReconcileBulkStatus", "ReconcileBulkStatus", "ReconcileBulkStatus", "ReconcileRefundLineItems"]);
    expect(noSleep.waits).toEqual([5000, 5000]);
    expect(shopify.calls[0].variables).toMatchObject({ limit: 20 });
    const operation = shopify.shopify.bulkOperations.get(report.bulkOperationId!)!;
    expect(operation.status).toBe("COMPLETED");
    const lines = operation.jsonl.trim().split("\n").map((line) => JSON.parse(line) as { id: string; __parentId?: string });
    expect(lines.filter((line) => line.__parentId === undefined)).toHaveLength(36);
    expect(lines.filter((line) => line.__parentId !== undefined).every((line) => line.id.startsWith("gid://shopify/LineItem/"))).toBe(true);
    const run = await db.reconcileRun.findUniqueOrThrow({ where: { id: report.runId } });
    expect(run).toMatchObject({ status: "done", bulkOperationId: report.bulkOperationId, ordersSeen: 36, ordersRepaired: 14 });

    const rows = await db.ledgerEntry.count({ where: { shopDomain: shop } });
    const again = await reconcileShop(db, shop, graphql, options);
    expect(again.ordersRepaired).toBe(0);
    expect(again.bulkOperationId).not.toBe(report.bulkOperationId);
    expect(await db.ledgerEntry.count({ where: { shopDomain: shop } })).toBe(rows);
    expect(await balances(shop)).toEqual(expected);
  });

  it("a window below the threshold is paged as before (one count call more)", async () => {
    const shop = "reconcile-bulk-small.myshopify.com";
    const graphql = await shopThatMissedWebhooks(shop);
    const report = await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "cli", pageSize: 10, bulkMinOrders: 37, sleep: noSleep.sleep });
    expect(report).toMatchObject({ pages: 4, bulkOperationId: null, ordersRepaired: 14 });
    expect(callNames(shop)).not.toContain("ReconcileBulkRun");
    expect(await balances(shop)).toEqual(expected);
  });

  it("a job that dies while Shopify runs the operation is resumed by the job's next run, with the same operation", async () => {
    const shop = "reconcile-bulk-resumed.myshopify.com";
    await shopThatMissedWebhooks(shop);
    const now = new Date();
    for (const { order, refunds } of finals) shopify.shopify.putOrder(shop, { ...order, updated_at: new Date(now.getTime() - 3_600_000).toISOString() }, refunds);
    const graphql = await adminGraphqlFor(shop);
    // The first process starts the operation and is never heard of again (frozen in its first wait).
    void reconcileShop(db, shop, graphql!, { since: new Date(now.getTime() - 48 * 3_600_000), until: now, trigger: "job", bulkMinOrders: 20, sleep: () => new Promise<void>(() => {}) });
    await vi.waitFor(async () => expect(callNames(shop)).toContain("ReconcileBulkStatus"));
    const crashed = await db.reconcileRun.findFirstOrThrow({ where: { shopDomain: shop } });
    expect(crashed).toMatchObject({ status: "running", bulkOperationId: expect.stringMatching(/BulkOperation/) });
    shopify.shopify.completeBulk(crashed.bulkOperationId!);

    await requestJob(db, { key: `reconcile:${shop}`, name: "reconcile", shopDomain: shop });
    expect(await testJobRunner(db).runIfFree(`reconcile:${shop}`)).toBe("ran");
    expect(await balances(shop)).toEqual(expected);
    expect(await db.reconcileRun.findUniqueOrThrow({ where: { id: crashed.id } })).toMatchObject({ status: "done", ordersRepaired: 14, bulkOperationId: crashed.bulkOperationId });
    expect(await db.reconcileRun.count({ where: { shopDomain: shop } })).toBe(1);
    expect(callNames(shop).filter((name) => name === "ReconcileBulkRun")).toHaveLength(1);
  });

  it("an operation that fails fails the run with Shopify's error code; nothing is written", async () => {
    const shop = "reconcile-bulk-failed.myshopify.com";
    const graphql = await shopThatMissedWebhooks(shop);
    const before = await balances(shop);
    shopify.shopify.failNextBulkWith = "TIMEOUT";
    await expect(reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "job", bulkMinOrders: 20, sleep: noSleep.sleep })).rejects.toThrow(/FAILED \(TIMEOUT\)/);
    expect(await db.reconcileRun.findFirstOrThrow({ where: { shopDomain: shop } })).toMatchObject({ status: "failed", error: expect.stringContaining("TIMEOUT") });
    expect(await balances(shop)).toEqual(before);
  });

  it("Shopify refuses a bulk query with a connection inside a list (why refund lines are read afterwards)", () => {
    const refundLinesInBulk = `{ orders { edges { node { id refunds { id refundLineItems { edges { node { quantity } } } } } } } }`;
    const answer = shopify.shopify.answer({ shop: "any.myshopify.com", query: RECONCILE_BULK_RUN, variables: { query: refundLinesInBulk } }).body as {
      data: { bulkOperationRunQuery: { bulkOperation: null; userErrors: { message: string }[] } };
    };
    expect(answer.data.bulkOperationRunQuery.userErrors.map((error) => error.message)).toEqual(["Queries that contain a connection field within a list field are not currently supported."]);
  });
});

describe("reconciliation of an order larger than one call reads", () => {
  // 75 line items (the batch call reads 30), 7 refunds (it reads 5), one of them of 12 lines (it
  // reads 10): the rest is read by cursor from the order and the refund, then the whole order
  // goes through the webhooks' code.
  const big = { id: 5_190_001, customer: { id: 5_290_001 }, lines: Array.from({ length: 75 }, (_, i) => ({ price: `${5 + (i % 9)}.00`, quantity: 1 + (i % 3) })) };
  const refundedLines = [[0], [1], [2], [3], [4], [5], Array.from({ length: 12 }, (_, i) => 20 + i)];
  const refunds = refundedLines.map((lines, k) =>
    refundPayload({ id: 5_390_001 + k, orderId: big.id, lines: lines.map((line) => ({ line, quantity: 1, subtotal: big.lines[line].price })) }),
  );
  const refunded = new Set(refundedLines.flat());
  const bigFinal = { ...big, updatedAt: at(9), lines: big.lines.map((line, i) => (refunded.has(i) ? { ...line, currentQuantity: line.quantity - 1 } : line)), refunds };
  const bigEvents: Event[] = [
    { topic: "orders/paid", payload: orderPayload({ updatedAt: at(1), ...big }), missed: true },
    ...refunds.map((refund) => ({ topic: "refunds/create", payload: refund, missed: true })),
    { topic: "orders/updated", payload: orderPayload(bigFinal), missed: true },
  ];

  it("reads every line item, refund and refund line by cursor and ends at the webhook path's balance", async () => {
    await deliverAll("webhooks-only-big.myshopify.com", bigEvents, true);
    const expectedBig = await balances("webhooks-only-big.myshopify.com");
    expect(expectedBig["5290001"]).toBeGreaterThan(0);

    const shop = "reconcile-big.myshopify.com";
    await inTransaction(db, (tx) => ensureShop(tx, shop)); // installed; every webhook of the order missed
    await storeOfflineSession(shop);
    shopify.shopify.putOrder(shop, orderPayload(bigFinal), refunds);
    const graphql = await adminGraphqlFor(shop);
    if (!graphql) throw new Error("no Admin API client");
    const report = await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "cli", sleep: noSleep.sleep });
    expect(report).toMatchObject({ ordersSeen: 1, ordersFetched: 1, ordersSkipped: 0, ordersRepaired: 1 });
    expect(await balances(shop)).toEqual(expectedBig);
    expect((await verifyLedger(db, { shop })).mismatches).toEqual([]);
    const refundRows = await db.ledgerEntry.count({ where: { shopDomain: shop, sourceType: "refund" } });
    expect(refundRows).toBe(await db.ledgerEntry.count({ where: { shopDomain: "webhooks-only-big.myshopify.com", sourceType: "refund" } }));

    // The follow-ups: line items 31–75 from the order's cursor (one page of 250), every refund
    // again, the long refund's last 2 lines from its cursor. Each answer carried Shopify's cost.
    const lineCalls = shopify.calls.filter((call) => /ReconcileOrderLineItems/.test(call.query));
    expect(lineCalls).toHaveLength(1);
    expect(lineCalls[0].variables).toMatchObject({ id: `gid://shopify/Order/${big.id}`, first: 250 });
    expect(lineCalls[0].variables.after).toEqual(expect.any(String));
    expect(shopify.calls.filter((call) => /ReconcileOrderRefunds/.test(call.query))).toHaveLength(1);
    const refundLineCalls = shopify.calls.filter((call) => /ReconcileRefundLineItems/.test(call.query));
    expect(refundLineCalls.map((call) => call.variables.id)).toEqual([`gid://shopify/Refund/${5_390_007}`]);

    // Again: nothing more.
    const rows = await db.ledgerEntry.count({ where: { shopDomain: shop } });
    const again = await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "cli", sleep: noSleep.sleep });
    expect(again.ordersRepaired).toBe(0);
    expect(await db.ledgerEntry.count({ where: { shopDomain: shop } })).toBe(rows);
  });

  it("leaves tips out, as the webhooks do: GraphQL tells a tip line only by the order's TIP sales", async () => {
    // A tip kept, and a tip refunded with a product: the webhooks earn on the products alone.
    const kept = { id: 5_100_901, customer: { id: 5_200_901 }, updatedAt: at(7), lines: [{ price: "20.00" }], tip: "50.00" };
    const refunded = { id: 5_100_902, customer: { id: 5_200_901 }, updatedAt: at(7), lines: [{ price: "20.00" }, { price: "30.00" }], tip: "10.00" };
    const refund = refundPayload({ id: 5_300_902, orderId: refunded.id, lines: [{ line: 1, quantity: 1, subtotal: "30.00" }, { line: 2, quantity: 1, subtotal: "10.00", tip: true }] });
    const refundedFinal = { ...refunded, updatedAt: at(8), lines: [refunded.lines[0], { ...refunded.lines[1], currentQuantity: 0 }], refunds: [refund] };
    const tipEvents: Event[] = [
      { topic: "orders/paid", payload: orderPayload(kept), missed: true },
      { topic: "orders/paid", payload: orderPayload(refunded), missed: true },
      { topic: "refunds/create", payload: refund, missed: true },
      { topic: "orders/updated", payload: orderPayload(refundedFinal), missed: true },
    ];
    await deliverAll("webhooks-only-tips.myshopify.com", tipEvents, true);
    const expectedTips = await balances("webhooks-only-tips.myshopify.com");
    expect(expectedTips).toEqual({ "5200901": 40 }); // 20.00 + 20.00 of products, at the default 1 point per 1.00

    const shop = "reconcile-tips.myshopify.com";
    await inTransaction(db, (tx) => ensureShop(tx, shop));
    await storeOfflineSession(shop);
    shopify.shopify.putOrder(shop, orderPayload(kept));
    shopify.shopify.putOrder(shop, orderPayload(refundedFinal), [refund]);
    const graphql = await adminGraphqlFor(shop);
    if (!graphql) throw new Error("no Admin API client");
    const report = await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "cli", sleep: noSleep.sleep });
    expect(report).toMatchObject({ ordersSeen: 2, ordersFetched: 2, ordersSkipped: 0, ordersRepaired: 2 });
    expect(await balances(shop)).toEqual(expectedTips);
    expect((await verifyLedger(db, { shop })).mismatches).toEqual([]);
    // One tips call per order with a tip, from its first agreements.
    const tipCalls = shopify.calls.filter((call) => /ReconcileOrderTips/.test(call.query));
    expect(tipCalls.map((call) => call.variables)).toEqual([
      { id: `gid://shopify/Order/${kept.id}`, first: 3, after: null },
      { id: `gid://shopify/Order/${refunded.id}`, first: 3, after: null },
    ]);
  });

  it("reads no tips for an order without one", async () => {
    const shop = "reconcile-no-tips.myshopify.com";
    await inTransaction(db, (tx) => ensureShop(tx, shop));
    await storeOfflineSession(shop);
    shopify.shopify.putOrder(shop, orderPayload({ id: 5_100_911, customer: { id: 5_200_911 }, updatedAt: at(7), lines: [{ price: "20.00" }] }));
    const graphql = await adminGraphqlFor(shop);
    if (!graphql) throw new Error("no Admin API client");
    await reconcileShop(db, shop, graphql, { since: SINCE, until: UNTIL, trigger: "cli", sleep: noSleep.sleep });
    expect(await balances(shop)).toEqual({ "5200911": 20 });
    expect(shopify.calls.filter((call) => /ReconcileOrderTips/.test(call.query))).toEqual([]);
  });

  it("pages a connection in as many calls as it takes (small pages)", async () => {
    const { completeOrder } = await import("~/shopify/reconcile.server");
    const shop = "reconcile-big-pages.myshopify.com";
    shopify.shopify.putOrder(shop, orderPayload(bigFinal), refunds);
    await storeOfflineSession(shop);
    const graphql = await adminGraphqlFor(shop);
    if (!graphql) throw new Error("no Admin API client");
    const { adminRequest } = await import("~/shopify/admin-request.server");
    const { RECONCILE_ORDER_DETAILS } = await import("~/shopify/graphql/reconcile-orders");
    const call = async <Data,>(document: string, variables: Record<string, unknown>) => {
      const answer = await adminRequest<Data>(graphql, document, "first" in variables ? { ...variables, first: 7 } : variables);
      return { data: answer.data };
    };
    const { data } = await call<{ nodes: Parameters<typeof completeOrder>[0][] }>(RECONCILE_ORDER_DETAILS, { ids: [`gid://shopify/Order/${big.id}`] });
    const whole = await completeOrder(data.nodes[0], call);
    expect(whole.lineItems.nodes.map((line) => line.id)).toEqual(big.lines.map((_, i) => `gid://shopify/LineItem/${big.id * 100 + i + 1}`));
    expect(whole.refunds.map((refund) => refund.refundLineItems.nodes.length)).toEqual(refundedLines.map((lines) => lines.length));
    // 45 more lines, 7 at a time: 7 calls, each after the previous page's end cursor.
    const lineCalls = shopify.calls.filter((c) => /ReconcileOrderLineItems/.test(c.query));
    expect(lineCalls).toHaveLength(7);
    for (let i = 1; i < lineCalls.length; i++) expect(lineCalls[i].variables.after).not.toEqual(lineCalls[i - 1].variables.after);
  });
});

async function pointsHeld(shop: string): Promise<number> {
  return Object.values(await balances(shop)).reduce((sum, points) => sum + points, 0);
}
