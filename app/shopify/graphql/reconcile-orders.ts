// Reconciliation (app/shopify/reconcile.server.ts) reads a shop's orders in two steps, so that a
// page costs little when nothing was missed:
// 1. RECONCILE_ORDER_PAGE: the orders updated in the window, 250 a page (requested cost about
//    one point an order), with what tells whether Tally is behind on an order;
// 2. RECONCILE_ORDER_DETAILS: the full orders Tally is behind on, a few per call (line items
//    and refunds are nested connections, each costing up to `first` points), read with the
//    same amounts the webhooks carry: shop money, discount allocations, tax lines, gift cards;
// 3. an order with more line items, refunds or refund lines than step 2 asks for is completed by
//    follow-up queries: RECONCILE_ORDER_LINE_ITEMS and RECONCILE_REFUND_LINE_ITEMS page their
//    connection by cursor, RECONCILE_ORDER_REFUNDS reads every refund (Order.refunds is a list,
//    not a connection: without `first` Shopify returns them all);
// 4. an order with a tip (totalTipReceivedSet above zero) has its tip line items read from its
//    sales agreements by RECONCILE_ORDER_TIPS: GraphQL's LineItem has no tip flag, where the
//    webhooks' REST line item has its tip_payment_* fields.
/** Line items and refunds per order in the batch call; an order with more is completed by the follow-up queries. */
export const DETAIL_LINE_ITEMS = 30;
export const DETAIL_REFUNDS = 5;
export const DETAIL_REFUND_LINES = 10;

// The selections the documents below (and reconcile-bulk.ts's bulk query) share: what the
// webhooks' code reads of an order, a line item and a refund line, in shop money.
const SHOP_MONEY = `shopMoney {
  amount
  currencyCode
}`;

/** An order's own fields and its customer. */
export const ORDER_FIELDS = `id
legacyResourceId
updatedAt
processedAt
createdAt
cancelledAt
taxesIncluded
currencyCode
displayFinancialStatus
discountCodes
totalTipReceivedSet {
  ${SHOP_MONEY}
}
customer {
  legacyResourceId
  firstName
  lastName
  defaultEmailAddress {
    emailAddress
  }
}`;

export const LINE_ITEM_FIELDS = `id
quantity
currentQuantity
isGiftCard
originalUnitPriceSet {
  ${SHOP_MONEY}
}
discountAllocations {
  allocatedAmountSet {
    ${SHOP_MONEY}
  }
}
taxLines {
  priceSet {
    ${SHOP_MONEY}
  }
}`;

const REFUND_LINE_ITEM_FIELDS = `quantity
lineItem {
  id
  isGiftCard
}
subtotalSet {
  ${SHOP_MONEY}
}
totalTaxSet {
  ${SHOP_MONEY}
}`;

const PAGE_INFO = `pageInfo {
  hasNextPage
  endCursor
}`;

/** A refund with its first lines (more are read by RECONCILE_REFUND_LINE_ITEMS). */
const REFUND_FIELDS = `id
legacyResourceId
refundLineItems(first: ${DETAIL_REFUND_LINES}) {
  nodes {
    ${REFUND_LINE_ITEM_FIELDS}
  }
  ${PAGE_INFO}
}`;

export const RECONCILE_ORDER_PAGE = `#graphql
  query ReconcileOrderPage($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        id
        legacyResourceId
        updatedAt
        cancelledAt
        displayFinancialStatus
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const RECONCILE_ORDER_DETAILS = `#graphql
  query ReconcileOrderDetails($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Order {
        ${ORDER_FIELDS}
        lineItems(first: ${DETAIL_LINE_ITEMS}) {
          nodes {
            ${LINE_ITEM_FIELDS}
          }
          ${PAGE_INFO}
        }
        refunds(first: ${DETAIL_REFUNDS}) {
          ${REFUND_FIELDS}
        }
      }
    }
  }
`;

/** A page size for the follow-up queries: Shopify's largest `first`. */
export const FOLLOW_UP_PAGE = 250;

export const RECONCILE_ORDER_LINE_ITEMS = `#graphql
  query ReconcileOrderLineItems($id: ID!, $first: Int!, $after: String) {
    node(id: $id) {
      ... on Order {
        lineItems(first: $first, after: $after) {
          nodes {
            ${LINE_ITEM_FIELDS}
          }
          ${PAGE_INFO}
        }
      }
    }
  }
`;

export const RECONCILE_ORDER_REFUNDS = `#graphql
  query ReconcileOrderRefunds($id: ID!) {
    node(id: $id) {
      ... on Order {
        refunds {
          ${REFUND_FIELDS}
        }
      }
    }
  }
`;

export const RECONCILE_REFUND_LINE_ITEMS = `#graphql
  query ReconcileRefundLineItems($id: ID!, $first: Int!, $after: String) {
    node(id: $id) {
      ... on Refund {
        refundLineItems(first: $first, after: $after) {
          nodes {
            ${REFUND_LINE_ITEM_FIELDS}
          }
          ${PAGE_INFO}
        }
      }
    }
  }
`;

/** Agreements per RECONCILE_ORDER_TIPS call, each with up to TIP_SALES sales (requested cost about 3 × 250). */
export const TIP_AGREEMENTS = 3;
export const TIP_SALES = 250;

export const RECONCILE_ORDER_TIPS = `#graphql
  query ReconcileOrderTips($id: ID!, $first: Int!, $after: String) {
    node(id: $id) {
      ... on Order {
        agreements(first: $first, after: $after) {
          nodes {
            sales(first: ${TIP_SALES}) {
              nodes {
                lineType
                ... on TipSale {
                  lineItem {
                    id
                  }
                }
              }
              pageInfo {
                hasNextPage
              }
            }
          }
          ${PAGE_INFO}
        }
      }
    }
  }
`;
