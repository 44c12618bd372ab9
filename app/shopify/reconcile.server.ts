// Reconciliation: Shopify gives up on a webhook after 8 tries over 4 hours, and an app that was
// down misses events. This reads the shop's orders updated in a window through Admin GraphQL and
// feeds every one Tally is behind on through the same domain code as the webhooks
// (recordOrderEvent, and the redemption codes the order used), so the result is what the
// webhooks would have left, and running it again changes nothing.
//
// 1. Pages of 250 orders (cursor pagination, sorted by updated_at), each with only what tells
//    whether Tally is behind: no snapshot, an older version, paid or cancelled in Shopify and not
//    here, or refunded (a refund's own webhook may be the one missed).
// 2. The orders it is behind on, in full, a few per call (nodes(ids:)), sized from the cost
//    Shopify reports; each turned into the REST payload shape the webhooks carry and parsed by
//    the same zod schemas (app/shopify/payloads.ts), so amounts follow the same rules. An order
//    with more line items, refunds or refund lines than that call asks for is completed first by
//    follow-up queries that page each nested connection by cursor (completeOrder), so every order
//    goes through the domain code whole.
// 3. A window of BULK_MIN_ORDERS orders or more (a cheap ordersCount first) is read with a bulk
//    operation instead of steps 1–2: bulkOperationRunQuery, its id stored on the run at once,
//    polled until COMPLETED, its JSONL file downloaded and each order put back together from its
//    line (line items are lines of their own naming the order in `__parentId`), then the orders
//    Tally is behind on go through the same code, 250 at a time. A job that dies meanwhile leaves
//    the run `running` with the id: the next run of the job resumes it (reconcile-jobs.server.ts).
// Between calls it waits as long as Shopify's bucket needs (extensions.cost.throttleStatus), and
// a THROTTLED answer is retried when the bucket has refilled.
//
// Safe on several servers at once: every write is the ledger's idempotent, row-locked merge, so
// two runs over the same orders repair each order once (the one that got there first reports it).
import type { Db } from "~/db.server";
import { logger } from "~/logger.server";
import { recordOrderEvent, type OrderEventResult } from "~/loyalty/ledger.server";
import { markCodesUsed, returnPointsForCancelledOrder } from "~/loyalty/redemptions.server";
import { sql } from "~/sql.server";
import type { AdminGraphql } from "./admin-graphql";
import { adminRequest, AdminRequestError } from "./admin-request.server";
import { RECONCILE_BULK_RUN, RECONCILE_BULK_STATUS, RECONCILE_ORDERS_COUNT, reconcileBulkQuery } from "./graphql/reconcile-bulk";
import {
  DETAIL_REFUNDS,
  FOLLOW_UP_PAGE,
  RECONCILE_ORDER_DETAILS,
  RECONCILE_ORDER_LINE_ITEMS,
  RECONCILE_ORDER_PAGE,
  RECONCILE_ORDER_REFUNDS,
  RECONCILE_ORDER_TIPS,
  RECONCILE_REFUND_LINE_ITEMS,
  TIP_AGREEMENTS,
} from "./graphql/reconcile-orders";
import { orderPayload, refundPayload } from "./payloads";
import { requestSummarySync } from "./summary-sync-request.server";

export const ORDER_PAGE_SIZE = 250;
/** Shopify refuses a single query over 1,000 points of requested cost. */
const MAX_QUERY_COST = 1000;
const MAX_DETAIL_BATCH = 25;
/** Throttled answers in a row before the run gives up (and the job retries later). */
const MAX_THROTTLED_RETRIES = 8;
const REPAIRS_KEPT = 50;
/**
 * A window with at least this many orders is read with a bulk operation: 20 pages and their detail
 * calls, beyond which the paged reading costs more of Shopify's bucket (and time) than a bulk
 * operation's few calls and its wait.
 */
export const BULK_MIN_ORDERS = 5000;
/** Between polls of a running bulk operation. */
export const BULK_POLL_MS = 5000;
const BULK_DONE = new Set(["COMPLETED"]);
const BULK_FAILED = new Set(["FAILED", "CANCELED", "EXPIRED"]);

export interface ReconcileOptions {
  since: Date;
  until?: Date;
  trigger: "job" | "cli";
  /** Called before every Shopify call (the job renews its lease). */
  keepLease?: () => Promise<void>;
  /** For tests and benchmarks. */
  pageSize?: number;
  sleep?: (ms: number) => Promise<void>;
  /** A window of at least this many orders is read with a bulk operation (BULK_MIN_ORDERS). */
  bulkMinOrders?: number;
  /** Between polls of a running bulk operation (BULK_POLL_MS). */
  bulkPollMs?: number;
  /** Downloads the bulk operation's JSONL file (the global fetch unless given). */
  download?: (url: string) => Promise<Response>;
  /** Carry on with this run's bulk operation (its job died while the operation ran). */
  resume?: { runId: number; bulkOperationId: string };
}

export interface Repair {
  orderId: string;
  customerId: string | null;
  delta: number;
}

export interface ReconcileReport {
  runId: number;
  shop: string;
  since: string;
  until: string;
  pages: number;
  calls: number;
  ordersSeen: number;
  ordersFetched: number;
  ordersRepaired: number;
  pointsRepaired: number;
  ordersSkipped: number;
  skipped: { orderId: string; reason: string }[];
  /** The bulk operation that read the window, when one did. */
  bulkOperationId: string | null;
  repairs: Repair[];
  waitedMs: number;
  ms: number;
}

interface PageOrder {
  id: string;
  legacyResourceId: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string | null;
}

interface OrderPage {
  orders: { nodes: PageOrder[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

interface Money {
  shopMoney: { amount: string; currencyCode: string };
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface GraphqlLineItem {
  id: string;
  quantity: number;
  currentQuantity: number;
  isGiftCard: boolean;
  originalUnitPriceSet: Money;
  discountAllocations: { allocatedAmountSet: Money }[];
  taxLines: { priceSet: Money }[];
  /** Set by completeOrder from the order's TIP sales: GraphQL's LineItem has no tip flag. */
  tip?: boolean;
}

export interface GraphqlRefundLine {
  quantity: number;
  lineItem: { id: string; isGiftCard: boolean; tip?: boolean };
  subtotalSet: Money;
  totalTaxSet: Money;
}

export interface GraphqlRefund {
  id: string;
  legacyResourceId: string;
  refundLineItems: { nodes: GraphqlRefundLine[]; pageInfo: PageInfo };
}

export interface GraphqlOrder {
  id: string;
  legacyResourceId: string;
  updatedAt: string;
  processedAt: string | null;
  createdAt: string | null;
  cancelledAt: string | null;
  taxesIncluded: boolean;
  currencyCode: string;
  displayFinancialStatus: string | null;
  discountCodes: string[];
  totalTipReceivedSet: Money;
  /** Set by completeOrder when its tip lines could not all be read (too many sales in one agreement). */
  tipsUnread?: boolean;
  customer: { legacyResourceId: string; firstName: string | null; lastName: string | null; defaultEmailAddress: { emailAddress: string | null } | null } | null;
  lineItems: { nodes: GraphqlLineItem[]; pageInfo: PageInfo };
  refunds: GraphqlRefund[];
}

/** Statuses of an order Shopify has been paid for (orders/paid was sent). */
const PAID_STATUSES = new Set(["PAID", "PARTIALLY_REFUNDED", "REFUNDED"]);
const REFUNDED_STATUSES = new Set(["PARTIALLY_REFUNDED", "REFUNDED"]);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function reconcileShop(db: Db, shop: string, graphql: AdminGraphql, options: ReconcileOptions): Promise<ReconcileReport> {
  const started = performance.now();
  const until = options.until ?? new Date();
  const run = options.resume
    ? await db.reconcileRun.findUniqueOrThrow({ where: { id: options.resume.runId } })
    : await db.reconcileRun.create({ data: { shopDomain: shop, trigger: options.trigger, since: options.since, until } });
  const report: ReconcileReport = {
    runId: run.id,
    shop,
    since: options.since.toISOString(),
    until: until.toISOString(),
    pages: 0,
    calls: 0,
    ordersSeen: 0,
    ordersFetched: 0,
    ordersRepaired: 0,
    pointsRepaired: 0,
    ordersSkipped: 0,
    skipped: [],
    bulkOperationId: options.resume?.bulkOperationId ?? null,
    repairs: [],
    waitedMs: 0,
    ms: 0,
  };
  const sleep = options.sleep ?? defaultSleep;
  let waitBeforeNextMs = 0;
  let throttledInARow = 0;

  /** One call, waiting first as long as the bucket needs, retrying THROTTLED answers. */
  async function call<Data>(document: string, variables: Record<string, unknown>): Promise<{ data: Data; requestedCost: number | null }> {
    for (;;) {
      if (waitBeforeNextMs > 0) {
        report.waitedMs += waitBeforeNextMs;
        await sleep(waitBeforeNextMs);
        waitBeforeNextMs = 0;
      }
      await options.keepLease?.();
      report.calls++;
      try {
        const answer = await adminRequest<Data>(graphql, document, variables);
        throttledInARow = 0;
        waitBeforeNextMs = answer.waitBeforeNextMs;
        return { data: answer.data, requestedCost: answer.requestedCost ?? null };
      } catch (error) {
        if (!(error instanceof AdminRequestError) || error.kind !== "throttled" || ++throttledInARow > MAX_THROTTLED_RETRIES) throw error;
        waitBeforeNextMs = error.retryAfterMs ?? 1000;
      }
    }
  }

  let balancesChanged = false;

  /** The orders of a page (or a bulk chunk) Tally is behind on, whole, through the domain code. */
  async function applyAll(orders: GraphqlOrder[]): Promise<void> {
    for (const fetchedOrder of orders) {
      report.ordersFetched++;
      const order = await completeOrder(fetchedOrder, call);
      const outcome = await applyOrder(db, shop, order);
      if ("skipped" in outcome) {
        report.ordersSkipped++;
        if (report.skipped.length < REPAIRS_KEPT) report.skipped.push({ orderId: order.legacyResourceId, reason: outcome.skipped });
        continue;
      }
      balancesChanged ||= outcome.balancesChanged;
      if (outcome.repaired) {
        report.ordersRepaired++;
        report.pointsRepaired += outcome.delta;
        if (report.repairs.length < REPAIRS_KEPT) report.repairs.push({ orderId: order.legacyResourceId, customerId: order.customer?.legacyResourceId ?? null, delta: outcome.delta });
      }
    }
  }

  async function readPaged(query: string): Promise<void> {
    let after: string | null = null;
    let detailBatch = 4;
    for (;;) {
      const { data }: { data: OrderPage } = await call<OrderPage>(RECONCILE_ORDER_PAGE, { first: options.pageSize ?? ORDER_PAGE_SIZE, after, query });
      report.pages++;
      const orders = data.orders.nodes;
      report.ordersSeen += orders.length;
      const behind = await ordersBehind(db, shop, orders);

      for (let i = 0; i < behind.length; ) {
        const ids = behind.slice(i, i + detailBatch).map((order) => order.id);
        let fetched: { data: { nodes: (GraphqlOrder | null)[] }; requestedCost: number | null };
        try {
          fetched = await call<{ nodes: (GraphqlOrder | null)[] }>(RECONCILE_ORDER_DETAILS, { ids });
        } catch (error) {
          if (error instanceof AdminRequestError && error.kind === "too_costly" && ids.length > 1) {
            detailBatch = Math.max(1, Math.floor(ids.length / 2));
            continue;
          }
          throw error;
        }
        // As many orders a call as fit under the cost limit, judged by what this one cost.
        if (fetched.requestedCost) detailBatch = Math.max(1, Math.min(MAX_DETAIL_BATCH, Math.floor((MAX_QUERY_COST * ids.length) / fetched.requestedCost)));
        i += ids.length;
        await applyAll(fetched.data.nodes.filter((order): order is GraphqlOrder => order !== null));
      }
      if (!data.orders.pageInfo.hasNextPage || !data.orders.pageInfo.endCursor) break;
      after = data.orders.pageInfo.endCursor;
    }
  }

  /** Starts the window's bulk operation and stores its id on the run; null when Shopify is running another one of this app's. */
  async function startBulk(query: string): Promise<string | null> {
    const { data } = await call<{ bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: { message: string; code: string | null }[] } | null }>(RECONCILE_BULK_RUN, {
      query: reconcileBulkQuery(query),
    });
    const answer = data.bulkOperationRunQuery;
    const errors = answer?.userErrors ?? [];
    if (errors.some((error) => error.code === "OPERATION_IN_PROGRESS")) return null;
    if (!answer?.bulkOperation || errors.length > 0) throw new Error(`bulkOperationRunQuery refused: ${errors.map((error) => error.message).join("; ") || "no operation"}`);
    await db.reconcileRun.update({ where: { id: report.runId }, data: { bulkOperationId: answer.bulkOperation.id } });
    return answer.bulkOperation.id;
  }

  async function readBulk(id: string): Promise<void> {
    const pollMs = options.bulkPollMs ?? BULK_POLL_MS;
    let url: string | null;
    for (;;) {
      const { data } = await call<{ bulkOperation: BulkOperationStatus | null }>(RECONCILE_BULK_STATUS, { id });
      const operation = data.bulkOperation;
      if (!operation) throw new Error(`bulk operation ${id} is not known to Shopify`);
      if (BULK_DONE.has(operation.status)) {
        url = operation.url; // null: the window holds no orders
        break;
      }
      if (BULK_FAILED.has(operation.status)) throw new Error(`bulk operation ${id} ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}`);
      report.waitedMs += pollMs;
      await sleep(pollMs);
    }
    if (!url) return;
    await options.keepLease?.();
    const orders = await bulkOrders(url, options.download ?? ((address) => fetch(address)));
    for (let i = 0; i < orders.length; i += ORDER_PAGE_SIZE) {
      const chunk = orders.slice(i, i + ORDER_PAGE_SIZE);
      report.ordersSeen += chunk.length;
      const behind = new Set((await ordersBehind(db, shop, chunk)).map((order) => order.id));
      await options.keepLease?.();
      await applyAll(chunk.filter((order) => behind.has(order.id)));
    }
  }

  try {
    const query = `updated_at:>='${options.since.toISOString()}' AND updated_at:<='${until.toISOString()}'`;
    let bulkOperationId = options.resume?.bulkOperationId ?? null;
    const minOrders = options.bulkMinOrders ?? BULK_MIN_ORDERS;
    // (An infinite threshold, for benchmarks: always paged, without the count.)
    if (!bulkOperationId && Number.isFinite(minOrders)) {
      const { data } = await call<{ ordersCount: { count: number } | null }>(RECONCILE_ORDERS_COUNT, { query, limit: minOrders });
      if ((data.ordersCount?.count ?? 0) >= minOrders) bulkOperationId = await startBulk(query);
      report.bulkOperationId = bulkOperationId;
    }
    if (bulkOperationId) await readBulk(bulkOperationId);
    else await readPaged(query);
  } catch (error) {
    await finish(db, report, started, "failed", (error as Error).message);
    throw error;
  } finally {
    if (balancesChanged) requestSummarySync(shop);
  }
  await finish(db, report, started, "done", null);
  logger.info({ ...report, repairs: report.repairs.length, skipped: report.skipped.length }, "reconciliation done");
  return report;
}

async function finish(db: Db, report: ReconcileReport, started: number, status: "done" | "failed", error: string | null): Promise<void> {
  report.ms = Math.round(performance.now() - started);
  await db.reconcileRun.update({
    where: { id: report.runId },
    data: {
      status,
      error: error?.slice(0, 1000) ?? null,
      bulkOperationId: report.bulkOperationId,
      pages: report.pages,
      ordersSeen: report.ordersSeen,
      ordersRepaired: report.ordersRepaired,
      pointsRepaired: BigInt(report.pointsRepaired),
      ordersSkipped: report.ordersSkipped,
      repairs: JSON.stringify(report.repairs),
      finishedAt: new Date(),
    },
  });
}

/**
 * The orders of a page Tally may be behind on: unknown, an older version than Shopify's, paid or
 * cancelled in Shopify but not here, or refunded (a refund webhook missed while orders/updated
 * arrived leaves the version current). The rest are skipped without another call.
 */
async function ordersBehind(db: Db, shop: string, orders: PageOrder[]): Promise<PageOrder[]> {
  if (orders.length === 0) return [];
  const snapshots = await db.orderSnapshot.findMany({
    where: { shopDomain: shop, orderId: { in: orders.map((order) => BigInt(order.legacyResourceId)) } },
    select: { orderId: true, versionUpdatedAt: true, paidAt: true, cancelledAt: true },
  });
  const known = new Map(snapshots.map((snapshot) => [String(snapshot.orderId), snapshot]));
  return orders.filter((order) => {
    const snapshot = known.get(order.legacyResourceId);
    const status = order.displayFinancialStatus ?? "";
    if (!snapshot || snapshot.versionUpdatedAt === null) return true;
    if (snapshot.versionUpdatedAt.getTime() < Date.parse(order.updatedAt)) return true;
    if (PAID_STATUSES.has(status) && snapshot.paidAt === null) return true;
    if (order.cancelledAt !== null && snapshot.cancelledAt === null) return true;
    return REFUNDED_STATUSES.has(status);
  });
}

interface BulkOperationStatus {
  id: string;
  status: string;
  errorCode: string | null;
  url: string | null;
}

/**
 * The orders of a bulk operation's JSONL file, put back together. Shopify writes one object a
 * line: each order with its plain fields and lists (its refunds' ids), and each node of a nested
 * connection (a line item) on a line of its own with `__parentId`, the order's id, somewhere after
 * the order's line (not necessarily right after it). A refund's lines are not in the file (a
 * connection inside a list cannot be bulk-read): they are marked as still to read, from the first
 * page, which completeOrder does for the orders Tally is behind on.
 */
export async function bulkOrders(url: string, download: (url: string) => Promise<Response>): Promise<GraphqlOrder[]> {
  const response = await download(url);
  if (!response.ok || !response.body) throw new Error(`the bulk operation's file could not be read: HTTP ${response.status}`);
  const orders = new Map<string, GraphqlOrder>();
  const unread: PageInfo = { hasNextPage: true, endCursor: null };
  const complete: PageInfo = { hasNextPage: false, endCursor: null };
  for await (const line of jsonLines(response.body)) {
    const object = JSON.parse(line) as Record<string, unknown> & { id: string; __parentId?: string };
    if (object.__parentId !== undefined) {
      const { __parentId: parentId, ...lineItem } = object;
      const order = orders.get(parentId);
      if (!order || !lineItem.id.startsWith("gid://shopify/LineItem/")) throw new Error(`the bulk operation's file has a line for ${parentId} before its order`);
      order.lineItems.nodes.push(lineItem as unknown as GraphqlLineItem);
      continue;
    }
    const order = object as unknown as Omit<GraphqlOrder, "lineItems" | "refunds"> & { refunds: { id: string; legacyResourceId: string }[] };
    orders.set(order.id, {
      ...order,
      lineItems: { nodes: [], pageInfo: complete },
      refunds: order.refunds.map((refund) => ({ ...refund, refundLineItems: { nodes: [], pageInfo: unread } })),
    });
  }
  return [...orders.values()];
}

async function* jsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = rest.indexOf("\n")) !== -1) {
      const line = rest.slice(0, end).trim();
      rest = rest.slice(end + 1);
      if (line) yield line;
    }
  }
  rest += decoder.decode();
  if (rest.trim()) yield rest.trim();
}

type Call = <Data>(document: string, variables: Record<string, unknown>) => Promise<{ data: Data }>;

/**
 * The order with every line item, refund and refund line: the batch call reads the first page of
 * each nested connection; whatever it says is left is read here, page by page by cursor, from
 * the order (or the refund) itself. Refunds are a list in Shopify's schema (no cursor): when the
 * batch call's `first` may have cut them short, they are read again, all of them.
 */
export async function completeOrder(order: GraphqlOrder, call: Call): Promise<GraphqlOrder> {
  const lineItems = [...order.lineItems.nodes];
  for (let pageInfo = order.lineItems.pageInfo; pageInfo.hasNextPage; ) {
    const { data } = await call<{ node: { lineItems: GraphqlOrder["lineItems"] } | null }>(RECONCILE_ORDER_LINE_ITEMS, { id: order.id, first: FOLLOW_UP_PAGE, after: pageInfo.endCursor });
    if (!data.node) throw new Error(`order ${order.legacyResourceId} is gone from Shopify while its line items were read`);
    lineItems.push(...data.node.lineItems.nodes);
    pageInfo = data.node.lineItems.pageInfo;
  }
  let refunds = order.refunds;
  if (refunds.length >= DETAIL_REFUNDS) {
    const { data } = await call<{ node: { refunds: GraphqlRefund[] } | null }>(RECONCILE_ORDER_REFUNDS, { id: order.id });
    if (!data.node) throw new Error(`order ${order.legacyResourceId} is gone from Shopify while its refunds were read`);
    refunds = data.node.refunds;
  }
  const completeRefunds: GraphqlRefund[] = [];
  for (const refund of refunds) {
    const lines = [...refund.refundLineItems.nodes];
    for (let pageInfo = refund.refundLineItems.pageInfo; pageInfo.hasNextPage; ) {
      const { data } = await call<{ node: { refundLineItems: GraphqlRefund["refundLineItems"] } | null }>(RECONCILE_REFUND_LINE_ITEMS, {
        id: refund.id,
        first: FOLLOW_UP_PAGE,
        after: pageInfo.endCursor,
      });
      if (!data.node) throw new Error(`refund ${refund.legacyResourceId} is gone from Shopify while its lines were read`);
      lines.push(...data.node.refundLineItems.nodes);
      pageInfo = data.node.refundLineItems.pageInfo;
    }
    completeRefunds.push({ ...refund, refundLineItems: { nodes: lines, pageInfo: { hasNextPage: false, endCursor: null } } });
  }
  const whole = { ...order, lineItems: { nodes: lineItems, pageInfo: { hasNextPage: false, endCursor: null } }, refunds: completeRefunds };
  return Number(order.totalTipReceivedSet.shopMoney.amount) > 0 ? withTipsMarked(whole, call) : whole;
}

type TipSales = { node: { agreements: { nodes: { sales: { nodes: { lineType: string; lineItem?: { id: string } }[]; pageInfo: { hasNextPage: boolean } } }[]; pageInfo: PageInfo } } | null };

/**
 * The order with its tip lines marked (on line items and refund lines), read from the TIP sales
 * of its agreements: a tip earns nothing, as in the webhooks, where REST marks the line itself.
 */
async function withTipsMarked(order: GraphqlOrder, call: Call): Promise<GraphqlOrder> {
  const tipLines = new Set<string>();
  let tipsUnread = false;
  let after: string | null = null;
  for (;;) {
    const { data }: { data: TipSales } = await call<TipSales>(RECONCILE_ORDER_TIPS, { id: order.id, first: TIP_AGREEMENTS, after });
    if (!data.node) throw new Error(`order ${order.legacyResourceId} is gone from Shopify while its tips were read`);
    for (const agreement of data.node.agreements.nodes) {
      tipsUnread ||= agreement.sales.pageInfo.hasNextPage;
      for (const sale of agreement.sales.nodes) if (sale.lineType === "TIP" && sale.lineItem) tipLines.add(sale.lineItem.id);
    }
    if (!data.node.agreements.pageInfo.hasNextPage) break;
    after = data.node.agreements.pageInfo.endCursor;
  }
  return {
    ...order,
    tipsUnread,
    lineItems: { ...order.lineItems, nodes: order.lineItems.nodes.map((line) => ({ ...line, tip: tipLines.has(line.id) })) },
    refunds: order.refunds.map((refund) => ({
      ...refund,
      refundLineItems: {
        ...refund.refundLineItems,
        nodes: refund.refundLineItems.nodes.map((line) => ({ ...line, lineItem: { ...line.lineItem, tip: tipLines.has(line.lineItem.id) } })),
      },
    })),
  };
}

type Applied = { repaired: boolean; delta: number; balancesChanged: boolean } | { skipped: string };

/** One whole order (completeOrder) through the webhooks' domain code: its codes, its current version, its refunds. */
export async function applyOrder(db: Db, shop: string, order: GraphqlOrder): Promise<Applied> {
  // completeOrder read every page; an order still cut short would be credited wrong.
  if (order.lineItems.pageInfo.hasNextPage || order.refunds.some((refund) => refund.refundLineItems.pageInfo.hasNextPage)) return { skipped: "incomplete" };
  // Which lines are tips is not known: crediting it could pay points on a tip.
  if (order.tipsUnread) return { skipped: "tips not readable (more sales in one agreement than a call reads)" };
  const rest = restOrderOf(order);
  const parsed = orderPayload.safeParse(rest);
  if (!parsed.success) return { skipped: `not readable: ${parsed.error.issues[0]?.message ?? "invalid"}` };
  const actor = "job:reconcile";
  const status = order.displayFinancialStatus ?? "";
  const paid = PAID_STATUSES.has(status);
  const results: OrderEventResult[] = [];
  // As the order webhooks do: codes first (each step idempotent), then the ledger.
  if (paid) await markCodesUsed(db, shop, parsed.data.order.orderId, parsed.data.discountCodes, actor);
  if (parsed.data.order.cancelled) await returnPointsForCancelledOrder(db, shop, parsed.data.order.orderId, parsed.data.discountCodes, actor);
  // The current version stands for every version the webhooks would have brought: the merge
  // keeps the newest, and paid and cancelled are sticky.
  results.push(await recordOrderEvent(db, sql(), shop, { kind: paid ? "paid" : "updated", order: parsed.data.order, customer: parsed.data.customer }, actor));
  for (const refund of rest.refunds) {
    const refundParsed = refundPayload.safeParse(refund);
    if (!refundParsed.success) return { skipped: `refund ${String(refund.id)} not readable` };
    results.push(await recordOrderEvent(db, sql(), shop, { kind: "refund", ...refundParsed.data }, actor));
  }
  const delta = results.reduce((sum, result) => sum + result.delta, 0);
  const balancesChanged = results.some((result) => result.balancesChanged);
  return { repaired: balancesChanged || delta !== 0, delta, balancesChanged };
}

const numericId = (gid: string) => BigInt(gid.slice(gid.lastIndexOf("/") + 1));
const moneySet = (money: Money) => ({ shop_money: { amount: money.shopMoney.amount, currency_code: money.shopMoney.currencyCode } });

/** A tip line as REST sends one: its tip_payment_* fields present (payloads.ts reads a tip by them). */
const tipFieldsOf = (tip: boolean | undefined) => (tip ? { tip_payment_gateway: null, tip_payment_method: null } : {});

/** The GraphQL order as the REST payload the order webhooks carry (the fields payloads.ts reads). */
export function restOrderOf(order: GraphqlOrder) {
  const orderId = BigInt(order.legacyResourceId);
  return {
    id: orderId,
    updated_at: order.updatedAt,
    processed_at: order.processedAt,
    created_at: order.createdAt,
    cancelled_at: order.cancelledAt,
    taxes_included: order.taxesIncluded,
    currency: order.currencyCode,
    customer: order.customer
      ? {
          id: BigInt(order.customer.legacyResourceId),
          email: order.customer.defaultEmailAddress?.emailAddress ?? null,
          first_name: order.customer.firstName,
          last_name: order.customer.lastName,
        }
      : null,
    discount_codes: order.discountCodes.map((code) => ({ code })),
    line_items: order.lineItems.nodes.map((line) => ({
      id: numericId(line.id),
      quantity: line.quantity,
      current_quantity: line.currentQuantity,
      gift_card: line.isGiftCard,
      ...tipFieldsOf(line.tip),
      price_set: moneySet(line.originalUnitPriceSet),
      discount_allocations: line.discountAllocations.map((allocation) => ({ amount_set: moneySet(allocation.allocatedAmountSet) })),
      tax_lines: line.taxLines.map((tax) => ({ price_set: moneySet(tax.priceSet) })),
    })),
    refunds: order.refunds.map((refund) => ({
      id: BigInt(refund.legacyResourceId),
      order_id: orderId,
      refund_line_items: refund.refundLineItems.nodes.map((line) => ({
        line_item_id: numericId(line.lineItem.id),
        quantity: line.quantity,
        subtotal_set: moneySet(line.subtotalSet),
        total_tax_set: moneySet(line.totalTaxSet),
        line_item: { gift_card: line.lineItem.isGiftCard, ...tipFieldsOf(line.lineItem.tip) },
      })),
    })),
  };
}

/** The last run of the shop, for the admin. */
export function lastReconcileRun(db: Db, shop: string) {
  return db.reconcileRun.findFirst({ where: { shopDomain: shop }, orderBy: { id: "desc" } });
}
