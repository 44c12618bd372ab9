// Orders as Shopify's Admin GraphQL API serves them, for reconciliation (app/shopify/reconcile.server.ts):
// built from the REST payloads the webhooks carry (dev/simulator/shopify-payloads.ts), so a test
// can deliver some of an order's events as webhooks and let reconciliation read the rest.
// Queries are executed against the pinned Admin schema (graphql-js), so an answer has exactly
// the fields the query selected, as Shopify's do. Amounts are written as Shopify's GraphQL
// writes Decimal ("10.0", not "10.00").
import { executeSync, type GraphQLSchema, parse } from "graphql";
import { isTipLine } from "../../app/shopify/tip-line";

/** What the simulator needs of a REST order payload. */
export interface RestOrder {
  id: number | bigint;
  updated_at: string;
  processed_at?: string | null;
  created_at?: string | null;
  cancelled_at?: string | null;
  taxes_included: boolean;
  currency: string;
  financial_status?: string | null;
  customer: { id: number | bigint; email?: string | null; first_name?: string | null; last_name?: string | null } | null;
  discount_codes: { code: string }[];
  line_items: {
    id: number | bigint;
    quantity: number;
    current_quantity?: number | null;
    gift_card: boolean;
    price_set: RestMoney;
    discount_allocations: { amount_set: RestMoney }[];
    tax_lines: { price_set: RestMoney }[];
    product_id?: number | bigint | null;
    /** Present only on a tip's line (either may be null), as in Shopify's REST orders. */
    tip?: object | null;
    tip_payment_gateway?: string | null;
    tip_payment_method?: string | null;
  }[];
}

export interface RestRefund {
  id: number | bigint;
  refund_line_items: { quantity: number; line_item_id: number | bigint; subtotal_set: RestMoney; total_tax_set: RestMoney; line_item?: { gift_card?: boolean } | null }[];
  created_at?: string | null;
}

interface RestMoney {
  shop_money: { amount: string; currency_code: string };
}

/** Shopify's GraphQL Decimal: trailing zeros dropped, one decimal kept ("10.0", "0.5", "12.345"). */
export function graphqlDecimal(amount: string): string {
  if (!amount.includes(".")) return `${amount}.0`;
  const trimmed = amount.replace(/0+$/, "");
  return trimmed.endsWith(".") ? `${trimmed}0` : trimmed;
}

const money = (set: RestMoney) => ({
  shopMoney: { amount: graphqlDecimal(set.shop_money.amount), currencyCode: set.shop_money.currency_code },
  presentmentMoney: { amount: graphqlDecimal(set.shop_money.amount), currencyCode: set.shop_money.currency_code },
});
const iso = (value: string | null | undefined) => (value ? new Date(value).toISOString().replace(".000Z", "Z") : null);

function connection<T>(items: T[], args: { first?: number; after?: string }) {
  const start = args.after ? Number(Buffer.from(args.after, "base64url").toString()) + 1 : 0;
  const page = items.slice(start, args.first === undefined ? undefined : start + args.first);
  const cursor = (index: number) => Buffer.from(String(index)).toString("base64url");
  return {
    nodes: page,
    edges: page.map((node, i) => ({ node, cursor: cursor(start + i) })),
    pageInfo: {
      hasNextPage: start + page.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? cursor(start) : null,
      endCursor: page.length ? cursor(start + page.length - 1) : null,
    },
  };
}

export interface SimulatedOrder {
  gid: string;
  updatedAt: string;
  id: bigint;
  node: Record<string, unknown>;
  /** The order's refunds as GraphQL nodes (each is a Node: `node(id:)` finds it). */
  refunds: Record<string, unknown>[];
}

/** The order (and its refunds) as Admin GraphQL's Order. */
export function simulatedOrder(rest: RestOrder, refunds: readonly RestRefund[] = []): SimulatedOrder {
  const gid = `gid://shopify/Order/${rest.id}`;
  const refunded = refunds.length > 0;
  const status = (rest.financial_status ?? "paid").toUpperCase();
  const lineItems = rest.line_items.map((line) => ({
    __typename: "LineItem",
    id: `gid://shopify/LineItem/${line.id}`,
    quantity: line.quantity,
    currentQuantity: line.current_quantity ?? line.quantity,
    isGiftCard: line.gift_card,
    originalUnitPriceSet: money(line.price_set),
    discountAllocations: line.discount_allocations.map((allocation) => ({ allocatedAmountSet: money(allocation.amount_set) })),
    taxLines: line.tax_lines.map((tax) => ({ priceSet: money(tax.price_set) })),
  }));
  // GraphQL tells a tip by its sale (lineType TIP on the order's agreements), not on the line item.
  const tipLines = new Set(rest.line_items.filter(isTipLine).map((line) => `gid://shopify/LineItem/${line.id}`));
  const saleOf = (lineItemId: string, giftCard: boolean, quantity: number, index: number, agreement: string) => {
    const [typename, lineType] = tipLines.has(lineItemId) ? ["TipSale", "TIP"] : giftCard ? ["GiftCardSale", "GIFT_CARD"] : ["ProductSale", "PRODUCT"];
    return { __typename: typename, id: `gid://shopify/Sale/${agreement}${index}`, actionType: quantity < 0 ? "RETURN" : "ORDER", lineType, quantity, lineItem: { id: lineItemId } };
  };
  const graphqlRefunds = refunds.map((refund) => {
    const lines = refund.refund_line_items.map((line) => ({
      quantity: line.quantity,
      lineItem: { id: `gid://shopify/LineItem/${line.line_item_id}`, isGiftCard: line.line_item?.gift_card ?? false },
      subtotalSet: money(line.subtotal_set),
      totalTaxSet: money(line.total_tax_set),
    }));
    return {
      __typename: "Refund",
      id: `gid://shopify/Refund/${refund.id}`,
      legacyResourceId: String(refund.id),
      refundLineItems: (args: { first?: number; after?: string }) => connection(lines, args),
    };
  });
  const updatedAt = iso(rest.updated_at)!;
  const node = {
    __typename: "Order",
    id: gid,
    legacyResourceId: String(rest.id),
    updatedAt,
    processedAt: iso(rest.processed_at),
    createdAt: iso(rest.created_at),
    cancelledAt: iso(rest.cancelled_at),
    taxesIncluded: rest.taxes_included,
    currencyCode: rest.currency,
    displayFinancialStatus: refunded && status === "PAID" ? "PARTIALLY_REFUNDED" : status,
    discountCodes: rest.discount_codes.map((discount) => discount.code),
    customer: rest.customer
      ? {
          legacyResourceId: String(rest.customer.id),
          firstName: rest.customer.first_name ?? null,
          lastName: rest.customer.last_name ?? null,
          defaultEmailAddress: rest.customer.email ? { emailAddress: rest.customer.email } : null,
        }
      : null,
    lineItems: (args: { first?: number; after?: string }) => connection(lineItems, args),
    refunds: (args: { first?: number }) => graphqlRefunds.slice(0, args.first ?? graphqlRefunds.length),
    totalTipReceivedSet: money({ shop_money: { amount: tipTotal(rest), currency_code: rest.currency } }),
    // The order's own agreement, then one per refund, each with its sales.
    agreements: (args: { first?: number; after?: string }) =>
      connection(
        [
          {
            __typename: "OrderAgreement",
            id: `gid://shopify/OrderAgreement/${rest.id}`,
            reason: "ORDER",
            happenedAt: iso(rest.processed_at ?? rest.created_at ?? rest.updated_at),
            sales: (page: { first?: number; after?: string }) =>
              connection(rest.line_items.map((line, i) => saleOf(`gid://shopify/LineItem/${line.id}`, line.gift_card, line.quantity, i, `${rest.id}0`)), page),
          },
          ...refunds.map((refund) => ({
            __typename: "RefundAgreement",
            id: `gid://shopify/RefundAgreement/${refund.id}`,
            reason: "REFUND",
            happenedAt: iso(refund.created_at ?? rest.updated_at),
            sales: (page: { first?: number; after?: string }) =>
              connection(
                refund.refund_line_items.map((line, i) => saleOf(`gid://shopify/LineItem/${line.line_item_id}`, line.line_item?.gift_card ?? false, -line.quantity, i, `${refund.id}1`)),
                page,
              ),
          })),
        ],
        args,
      ),
  };
  return { gid, updatedAt, id: BigInt(rest.id), node, refunds: graphqlRefunds };
}

/** The order's tips, summed in its smallest unit (as many decimals as its amounts have). */
function tipTotal(rest: RestOrder): string {
  const tips = rest.line_items.filter(isTipLine);
  const decimals = Math.max(0, ...tips.map((line) => line.price_set.shop_money.amount.split(".")[1]?.length ?? 0));
  const scale = 10 ** decimals;
  const minor = tips.reduce((sum, line) => sum + Math.round(Number(line.price_set.shop_money.amount) * scale) * line.quantity, 0);
  return (minor / scale).toFixed(decimals);
}

/** The orders an orders search (`updated_at:>='…' AND updated_at:<='…'`) matches, by updated_at. */
export function ordersMatching(orders: readonly SimulatedOrder[], search: string | undefined): SimulatedOrder[] {
  const sorted = [...orders].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const from = /updated_at:>='([^']+)'/.exec(search ?? "")?.[1];
  const to = /updated_at:<='([^']+)'/.exec(search ?? "")?.[1];
  return sorted.filter((order) => (!from || Date.parse(order.updatedAt) >= Date.parse(from)) && (!to || Date.parse(order.updatedAt) <= Date.parse(to)));
}

/** Runs an orders query (`orders(…)`, `nodes(ids:)` or `node(id:)` of an order or a refund) over the shop's orders. */
export function executeOrderQuery(schema: GraphQLSchema, orders: readonly SimulatedOrder[], query: string, variables: Record<string, unknown>): unknown {
  const rootValue = {
    orders: (args: { first?: number; after?: string; query?: string }) =>
      connection(
        ordersMatching(orders, args.query).map((order) => order.node),
        args,
      ),
    nodes: (args: { ids: string[] }) => args.ids.map((id) => orders.find((order) => order.gid === id)?.node ?? null),
    node: (args: { id: string }) =>
      orders.find((order) => order.gid === args.id)?.node ?? orders.flatMap((order) => order.refunds).find((refund) => refund.id === args.id) ?? null,
  };
  const result = executeSync({ schema, document: parse(query), rootValue, variableValues: variables });
  if (result.errors?.length) throw new Error(`the order stand-in failed: ${result.errors.map((error) => error.message).join("; ")}`);
  return result.data;
}
