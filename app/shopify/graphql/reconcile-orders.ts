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
//    not a connection: without `first` Shopify returns them all).
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

/** Line items and refunds per order in the batch call; an order with more is completed by the follow-up queries. */
export const DETAIL_LINE_ITEMS = 30;
export const DETAIL_REFUNDS = 5;
export const DETAIL_REFUND_LINES = 10;

export const RECONCILE_ORDER_DETAILS = `#graphql
  query ReconcileOrderDetails($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Order {
        id
        legacyResourceId
        updatedAt
        processedAt
        createdAt
        cancelledAt
        taxesIncluded
        currencyCode
        displayFinancialStatus
        discountCodes
        customer {
          legacyResourceId
          firstName
          lastName
          defaultEmailAddress {
            emailAddress
          }
        }
        lineItems(first: 30) {
          nodes {
            id
            quantity
            currentQuantity
            isGiftCard
            originalUnitPriceSet {
              shopMoney {
                amount
                currencyCode
              }
            }
            discountAllocations {
              allocatedAmountSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
            }
            taxLines {
              priceSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
        refunds(first: 5) {
          id
          legacyResourceId
          refundLineItems(first: 10) {
            nodes {
              quantity
              lineItem {
                id
                isGiftCard
              }
              subtotalSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
              totalTaxSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
          }
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
            id
            quantity
            currentQuantity
            isGiftCard
            originalUnitPriceSet {
              shopMoney {
                amount
                currencyCode
              }
            }
            discountAllocations {
              allocatedAmountSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
            }
            taxLines {
              priceSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
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
          id
          legacyResourceId
          refundLineItems(first: 10) {
            nodes {
              quantity
              lineItem {
                id
                isGiftCard
              }
              subtotalSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
              totalTaxSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
          }
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
            quantity
            lineItem {
              id
              isGiftCard
            }
            subtotalSet {
              shopMoney {
                amount
                currencyCode
              }
            }
            totalTaxSet {
              shopMoney {
                amount
                currencyCode
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`;
