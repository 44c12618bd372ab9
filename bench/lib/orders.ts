// The workload: distinct paid orders, each with a customer, as Shopify would deliver them to
// orders/paid. Everything is serialised and signed up front so that the timed loop only sends.
import { orderPayload, type LineSpec } from "../../dev/simulator/shopify-payloads";
import { webhookHeaders } from "../../dev/simulator/shopify-signing";

export const TOPIC = "orders/paid";

/** Realistic magnitudes (13-digit Shopify ids) with room for line item ids (order id × 100). */
const ORDER_ID_BASE = 5_500_000_000_000;
const CUSTOMER_ID_BASE = 7_200_000_000_000;
const NEW_CUSTOMER_ID_BASE = 7_300_000_000_000;

export interface SignedDelivery {
  orderId: number;
  customerId: number;
  body: Buffer;
  headers: Record<string, string>;
}

export interface Batch {
  name: string;
  deliveries: SignedDelivery[];
}

/**
 * `count` deliveries with fresh order ids for batch number `batchIndex` (each batch gets its own
 * id range, so no batch re-sends an order). Customers cycle over `customerCount` ids across all
 * batches, so most deliveries credit an existing member, as in a live shop; every tenth order is
 * a new customer's first (referred, when `referralCodes` are given).
 */
export function signedOrderBatch(
  name: string,
  batchIndex: number,
  count: number,
  options: { customerCount: number; shop: string; secret: string; referralCodes?: readonly string[] },
): Batch {
  const deliveries: SignedDelivery[] = [];
  const codes = options.referralCodes ?? [];
  for (let i = 0; i < count; i++) {
    const orderId = ORDER_ID_BASE + batchIndex * 10_000_000 + i;
    // Every tenth order is a new customer's first; with referral codes, a member referred them.
    const newCustomer = i % 10 === 9;
    const customerId = newCustomer ? NEW_CUSTOMER_ID_BASE + batchIndex * 10_000_000 + i : CUSTOMER_ID_BASE + ((batchIndex * 7919 + i) % options.customerCount);
    const noteAttributes = newCustomer && codes.length > 0 ? { tally_referral: codes[Math.floor(i / 10) % codes.length] } : undefined;
    const body = JSON.stringify(orderPayload({ id: orderId, customer: { id: customerId }, lines: orderLines(i), noteAttributes }));
    const headers = webhookHeaders(TOPIC, body, { shop: options.shop, secret: options.secret });
    const bytes = Buffer.from(body);
    deliveries.push({ orderId, customerId, body: bytes, headers: { ...headers, "Content-Length": String(bytes.length) } });
  }
  return { name, deliveries };
}

/** Two or three lines, one of them discounted, with prices that vary from order to order. */
function orderLines(index: number): LineSpec[] {
  const lines: LineSpec[] = [
    { price: (19 + (index % 23)).toFixed(2), quantity: 2, discount: "5.00", tax: "4.55" },
    { price: "12.50", quantity: 1, tax: "1.63" },
  ];
  if (index % 2 === 0) lines.push({ price: "8.75", quantity: 3, tax: "3.41" });
  return lines;
}
