// Reconciliation of a large window (app/shopify/reconcile.server.ts) with a bulk operation:
// Shopify runs the query in the background and writes its result to a JSONL file, so many
// thousands of orders cost a few calls instead of a page call per 250 and a detail call per few.
// 1. RECONCILE_ORDERS_COUNT: how many orders the window holds (a cheap count, capped by `limit`),
//    which decides between the paged reading and a bulk operation;
// 2. RECONCILE_BULK_RUN: bulkOperationRunQuery with reconcileBulkQuery(window);
// 3. RECONCILE_BULK_STATUS: the operation's status, polled until COMPLETED (then `url` is the
//    JSONL file; null when the query matched nothing) or FAILED, CANCELED, EXPIRED.
// A bulk query takes no variables: the window is written into the document as a string literal.
// Shopify refuses a connection inside a list field in a bulk query, and Order.refunds is a list:
// the bulk query reads each refund's id only, and the lines of the refunds of an order Tally is
// behind on are read afterwards by the paged follow-up queries (reconcile-orders.ts).
import { LINE_ITEM_FIELDS, ORDER_FIELDS } from "./reconcile-orders";

export const RECONCILE_ORDERS_COUNT = `#graphql
  query ReconcileOrdersCount($query: String!, $limit: Int) {
    ordersCount(query: $query, limit: $limit) {
      count
      precision
    }
  }
`;

export const RECONCILE_BULK_RUN = `#graphql
  mutation ReconcileBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const RECONCILE_BULK_STATUS = `#graphql
  query ReconcileBulkStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      url
      partialDataUrl
    }
  }
`;

/** The bulk query for the orders matching `search` (an orders search, e.g. an updated_at window). */
export function reconcileBulkQuery(search: string): string {
  return `#graphql
  {
    orders(query: ${JSON.stringify(search)}, sortKey: UPDATED_AT) {
      edges {
        node {
          ${ORDER_FIELDS}
          refunds {
            id
            legacyResourceId
          }
          lineItems {
            edges {
              node {
                ${LINE_ITEM_FIELDS}
              }
            }
          }
        }
      }
    }
  }
`;
}

/** A window's bulk query as reconciliation writes it (validated with the other documents). */
export const RECONCILE_BULK_QUERY_EXAMPLE = reconcileBulkQuery("updated_at:>='2026-11-01T00:00:00.000Z' AND updated_at:<='2026-11-30T00:00:00.000Z'");
