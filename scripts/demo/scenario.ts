// The demo's story: one shop, four customers, eight orders and the webhooks Shopify sends for
// them, awkward parts included (retries, reordering, refunds, an edit, a cancellation). Every
// id is fixed, so running the demo again redelivers the same events, which the app must
// recognise: a second run leaves what the orders earned exactly as the first one did. Then Ada,
// who has points enough, redeems a reward (a new redemption each run, while her points last).
import { randomUUID } from "node:crypto";
import {
  customerCreatePayload,
  orderPayload,
  refundPayload,
  type OrderSpec,
} from "../../dev/simulator/shopify-payloads";

export const DEMO_SHOP = "tally-demo.myshopify.com";

export interface DemoCustomer {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
}

const ada: DemoCustomer = { id: 7_100_000_001, firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" };
const grace: DemoCustomer = { id: 7_100_000_002, firstName: "Grace", lastName: "Hopper", email: "grace@example.com" };
const katherine: DemoCustomer = { id: 7_100_000_003, firstName: "Katherine", lastName: "Johnson", email: "katherine@example.com" };
const alan: DemoCustomer = { id: 7_100_000_004, firstName: "Alan", lastName: "Turing", email: "alan@example.com" };

export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [ada, grace, katherine, alan];

/** The customer whose storefront view the demo opens through the app proxy, and who redeems. */
export const PROXY_DEMO_CUSTOMER = ada;

/** What the reward the demo redeems costs: the default one of a new shop, 5.00 off for 500 points. */
export const DEMO_REWARD_COST = 500;

export function fullName(customer: { firstName: string | null; lastName: string | null }): string {
  return [customer.firstName, customer.lastName].filter(Boolean).join(" ");
}

// ---------------------------------------------------------------------------------------------
// Orders (USD; the default program earns 1 point per 1.00 of eligible amount, floored).

const PAID_AT = "2026-11-20T10:00:05-05:00";

/** Ada: two mugs sharing a 5.00 discount code, a notebook, shipping and a tip. */
const discountedOrder: OrderSpec = {
  id: 820_000_001,
  customer: ada,
  lines: [
    { title: "Ceramic mug", price: "25.00", quantity: 2, discount: "5.00" },
    { title: "Notebook", price: "12.99" },
  ],
  shipping: "7.50",
  tip: "3.00",
  updatedAt: PAID_AT,
};
/** One mug comes back: 22.50 is its share of the line after the discount. */
const mugRefund = refundPayload({
  id: 930_000_001,
  orderId: discountedOrder.id,
  lines: [{ line: 0, quantity: 1, subtotal: "22.50" }],
});
/** orders/updated after that refund: current_quantity drops by the refunded mug, which is no edit. */
const discountedOrderAfterRefund: OrderSpec = {
  ...discountedOrder,
  updatedAt: "2026-11-21T12:00:01-05:00",
  financialStatus: "partially_refunded",
  lines: [{ ...discountedOrder.lines[0], currentQuantity: 1 }, discountedOrder.lines[1]],
  refunds: [mugRefund],
};

/** Grace: a gift card (earns nothing: it is money, not a sale) and a tote bag. */
const giftCardOrder: OrderSpec = {
  id: 820_000_002,
  customer: grace,
  lines: [
    { title: "Gift card", price: "50.00", giftCard: true },
    { title: "Tote bag", price: "30.00" },
  ],
  updatedAt: PAID_AT,
};

/** Katherine, in a shop whose prices include 13% HST: the tax inside the prices earns nothing. */
const taxIncludedOrder: OrderSpec = {
  id: 820_000_003,
  customer: katherine,
  taxesIncluded: true,
  lines: [
    { title: "Wool blanket", price: "113.00", tax: "13.00" },
    { title: "Candle", price: "9.99", quantity: 3, tax: "3.45" },
  ],
  updatedAt: PAID_AT,
};
/** One candle comes back: 9.99 including 1.15 of tax. */
const candleRefund = refundPayload({
  id: 930_000_003,
  orderId: taxIncludedOrder.id,
  lines: [{ line: 1, quantity: 1, subtotal: "9.99", tax: "1.15" }],
});

/** A guest checkout: no customer, so nobody earns. */
const guestOrder: OrderSpec = {
  id: 820_000_004,
  customer: null,
  lines: [{ title: "Poster", price: "40.00" }],
  updatedAt: PAID_AT,
};

/** Ada again: paid, then cancelled by the merchant. */
const cancelledOrder: OrderSpec = {
  id: 820_000_005,
  customer: ada,
  lines: [{ title: "Desk lamp", price: "80.00" }],
  updatedAt: PAID_AT,
};
const cancelledOrderCancelled: OrderSpec = {
  ...cancelledOrder,
  cancelledAt: "2026-11-20T15:00:00-05:00",
  updatedAt: "2026-11-20T15:00:01-05:00",
};

/** Ada once more: an espresso machine and two milk jugs, enough points for a few rewards. */
const espressoOrder: OrderSpec = {
  id: 820_000_008,
  customer: ada,
  lines: [
    { title: "Espresso machine", price: "1850.00" },
    { title: "Milk jug", price: "24.00", quantity: 2 },
  ],
  shipping: "25.00",
  updatedAt: PAID_AT,
};

/** Grace: three bags of coffee and a brush; the brush is refunded, then a bag is edited out. */
const editedOrder: OrderSpec = {
  id: 820_000_006,
  customer: grace,
  lines: [
    { title: "Coffee beans", price: "15.00", quantity: 3 },
    { title: "Grinder brush", price: "20.00" },
  ],
  updatedAt: PAID_AT,
};
const brushRefund = refundPayload({
  id: 930_000_006,
  orderId: editedOrder.id,
  lines: [{ line: 1, quantity: 1, subtotal: "20.00" }],
});
const EDITED_AT = "2026-11-22T09:30:00-05:00";
const editedOrderAfterEdit: OrderSpec = {
  ...editedOrder,
  updatedAt: EDITED_AT,
  financialStatus: "partially_refunded",
  lines: [
    { ...editedOrder.lines[0], currentQuantity: 2 },
    { ...editedOrder.lines[1], currentQuantity: 0 },
  ],
  refunds: [brushRefund],
};

/** Alan: socks with 13% tax on top; one pair is refunded before Tally even hears of the order. */
const outOfOrderOrder: OrderSpec = {
  id: 820_000_007,
  customer: alan,
  lines: [{ title: "Hiking socks", price: "35.00", quantity: 2, tax: "9.10" }],
  updatedAt: PAID_AT,
};
const socksRefund = refundPayload({
  id: 930_000_007,
  orderId: outOfOrderOrder.id,
  lines: [{ line: 0, quantity: 1, subtotal: "35.00", tax: "4.55" }],
});

// ---------------------------------------------------------------------------------------------
// What the app must end with, worked out by hand from the rules in the README: eligible = line
// prices after discounts, without gift cards, shipping and tips, without tax when prices
// include it; earned = floor(eligible) at 1 point per 1.00; after refunds the order keeps what
// (eligible − refunded eligible) earns, floored once; cancelled → 0; an edit re-values the
// order on its new eligible amount, the refunds still deducted.

export interface ExpectedOrder {
  orderId: number;
  customerId: number | null;
  points: number;
  /** The arithmetic, printed under the orders table. */
  working: string;
}

export const EXPECTED_ORDERS: readonly ExpectedOrder[] = [
  {
    orderId: discountedOrder.id,
    customerId: ada.id,
    // eligible 2 × 25.00 − 5.00 + 12.99 = 57.99 → 57; refund 22.50: keeps floor(57.99 − 22.50) = floor(35.49)
    points: 35,
    working: "57.99 → 57; mug refunded (22.50): keeps floor(35.49) = 35",
  },
  {
    orderId: giftCardOrder.id,
    customerId: grace.id,
    // eligible 30.00 (the 50.00 gift card earns nothing) → 30
    points: 30,
    working: "30.00 (gift card 50.00 excluded) → 30",
  },
  {
    orderId: taxIncludedOrder.id,
    customerId: katherine.id,
    // eligible (113.00 − 13.00) + (3 × 9.99 − 3.45) = 100.00 + 26.52 = 126.52 → 126;
    // refund 9.99 − 1.15 = 8.84 of eligible: keeps floor(126.52 − 8.84) = floor(117.68)
    points: 117,
    working: "100.00 + 26.52 (tax out) → 126; candle refunded (9.99 − 1.15 tax): keeps floor(117.68) = 117",
  },
  {
    orderId: guestOrder.id,
    customerId: null,
    points: 0,
    working: "guest: nobody to credit",
  },
  {
    orderId: cancelledOrder.id,
    customerId: ada.id,
    // 80.00 → 80, then cancelled → 0
    points: 0,
    working: "80.00 → 80; cancelled → 0",
  },
  {
    orderId: espressoOrder.id,
    customerId: ada.id,
    // eligible 1850.00 + 2 × 24.00 = 1898.00 (shipping earns nothing) → 1898
    points: 1898,
    working: "1850.00 + 2 × 24.00 = 1898.00 (shipping 25.00 excluded) → 1898",
  },
  {
    orderId: editedOrder.id,
    customerId: grace.id,
    // eligible 3 × 15.00 + 20.00 = 65.00 → 65; brush refunded: keeps floor(65.00 − 20.00) = 45;
    // edit to 2 bags: eligible 50.00, the refund still deducted: floor(50.00 − 20.00) = 30
    points: 30,
    working: "65.00 → 65; brush refunded → 45; edit to 2 bags: floor(50.00 − 20.00) = 30",
  },
  {
    orderId: outOfOrderOrder.id,
    customerId: alan.id,
    // eligible 2 × 35.00 = 70.00 (tax on top excluded) → 70; refund 35.00: keeps floor(35.00)
    points: 35,
    working: "70.00 (tax on top excluded) → 70; refund of 35.00 seen first → 35",
  },
];

/**
 * What the orders leave each customer, by hand: their lifetime earned (reversals take back what
 * the order earned), and their balance before any redemption. Redemptions (the demo's, and any
 * made in the storefront) spend from the balance only (scripts/demo/report.ts accounts for them).
 */
export const EXPECTED_BALANCES: ReadonlyMap<number, number> = new Map([
  [ada.id, 1933], // order …001 (35) + order …005 (cancelled: 0) + order …008 (1898)
  [grace.id, 60], // order …002 (30) + order …006 (30)
  [katherine.id, 117], // order …003 (117)
  [alan.id, 35], // order …007 (35)
]);

export interface ExpectedLedgerEntry {
  customerId: number;
  kind: string;
  delta: number;
  key: string;
}

/** One row per change of points, each under the key that makes its redelivery a no-op. */
export const EXPECTED_LEDGER: readonly ExpectedLedgerEntry[] = [
  { customerId: ada.id, kind: "earn", delta: 57, key: "order:820000001:earn" },
  { customerId: ada.id, kind: "refund_reversal", delta: -22, key: "refund:930000001" },
  { customerId: ada.id, kind: "earn", delta: 80, key: "order:820000005:earn" },
  { customerId: ada.id, kind: "cancel_reversal", delta: -80, key: "order:820000005:cancel" },
  { customerId: ada.id, kind: "earn", delta: 1898, key: "order:820000008:earn" },
  { customerId: grace.id, kind: "earn", delta: 30, key: "order:820000002:earn" },
  { customerId: grace.id, kind: "earn", delta: 65, key: "order:820000006:earn" },
  { customerId: grace.id, kind: "refund_reversal", delta: -20, key: "refund:930000006" },
  { customerId: grace.id, kind: "order_edit", delta: -15, key: `order:820000006:edit:${Date.parse(EDITED_AT)}` },
  { customerId: katherine.id, kind: "earn", delta: 126, key: "order:820000003:earn" },
  { customerId: katherine.id, kind: "refund_reversal", delta: -9, key: "refund:930000003" },
  { customerId: alan.id, kind: "earn", delta: 35, key: "order:820000007:earn" },
];

// ---------------------------------------------------------------------------------------------
// The deliveries, in the order Shopify's queue hands them over.

export type WebhookTopic = "customers/create" | "orders/paid" | "orders/updated" | "orders/cancelled" | "refunds/create";

export interface Delivery {
  topic: WebhookTopic;
  payload: unknown;
  /** What it is about, for the log: "order 820000001", "refund 930000001 (order 820000001)". */
  subject: string;
  /** Why it is there: "duplicate …", "out of order …", or what it shows. */
  note: string;
  /** X-Shopify-Webhook-Id: a retry repeats it, a new event gets a new one. */
  webhookId: string;
}

export function demoDeliveries(): Delivery[] {
  const deliveries: Delivery[] = [];
  const send = (topic: WebhookTopic, payload: unknown, subject: string, note = ""): Delivery => {
    const delivery = { topic, payload, subject, note, webhookId: randomUUID() };
    deliveries.push(delivery);
    return delivery;
  };
  // Shopify retries a delivery it got no 200 for with the same webhook id…
  const retry = (delivery: Delivery, note: string) => deliveries.push({ ...delivery, note });
  // …and may also send the same event again as a new delivery, with a new id.
  const resend = (delivery: Delivery, note: string) => deliveries.push({ ...delivery, note, webhookId: randomUUID() });

  const customer = (c: DemoCustomer, note?: string) =>
    send("customers/create", customerCreatePayload(c), `customer ${c.id} ${fullName(c)}`, note);
  const order = (topic: WebhookTopic, spec: OrderSpec, note?: string) =>
    send(topic, orderPayload(spec), `order ${spec.id}`, note);
  const refund = (payload: ReturnType<typeof refundPayload>, note?: string) =>
    send("refunds/create", payload, `refund ${payload.id} (order ${payload.order_id})`, note);

  customer(ada);
  customer(grace);
  customer(katherine);

  order("orders/paid", discountedOrder, "discounted lines; shipping and tip earn nothing");
  const giftCardPaid = order("orders/paid", giftCardOrder, "gift card line earns nothing");
  retry(giftCardPaid, "duplicate: same webhook id (a Shopify retry)");
  const taxIncludedPaid = order("orders/paid", taxIncludedOrder, "taxes included: tax taken out");
  resend(taxIncludedPaid, "duplicate: same event, new webhook id");
  order("orders/paid", guestOrder, "guest checkout: nobody earns");

  const mugRefunded = refund(mugRefund, "one mug returned");
  retry(mugRefunded, "duplicate: same webhook id");
  order("orders/updated", discountedOrderAfterRefund, "after the refund: refunded units are no edit");
  refund(candleRefund, "one candle returned, tax included");

  order("orders/paid", cancelledOrder);
  const cancelled = order("orders/cancelled", cancelledOrderCancelled, "cancelled: the points go back");
  resend(cancelled, "duplicate: same event, new webhook id");
  order("orders/paid", espressoOrder, "a big order: points for rewards");

  const editedPaid = order("orders/paid", editedOrder);
  refund(brushRefund, "brush returned");
  order("orders/updated", editedOrderAfterEdit, "edit: one bag of coffee removed");
  retry(editedPaid, "duplicate, out of order: a retry of the older version after the edit");

  refund(socksRefund, "out of order: the refund before its orders/paid");
  order("orders/paid", outOfOrderOrder);
  customer(alan, "out of order: after the customer's first order");

  return deliveries;
}

// ---------------------------------------------------------------------------------------------
// Program growth (scripts/demo/growth.ts), after the tiers exist: Hedy's orders take her into the
// Diamond tier, whose multiplier her next order earns under; Mary, new, orders through Hedy's
// referral link, which credits Hedy the referral reward. Two more customers, so the balances
// above stay what the earning rules give.

const hedy: DemoCustomer = { id: 7_100_000_005, firstName: "Hedy", lastName: "Lamarr", email: "hedy@example.com" };
const mary: DemoCustomer = { id: 7_100_000_006, firstName: "Mary", lastName: "Jackson", email: "mary@example.com" };
export const GROWTH_CUSTOMERS = { referrer: hedy, friend: mary } as const;

/** The tier Hedy reaches: above every other demo customer's points, so no one else earns under it. */
export const DIAMOND_TIER = { name: "Diamond", thresholdPoints: 2500, multiplierPercent: 150 };

/** Hedy's first order: 2,600 points at ×100% (an order never counts toward its own tier). */
export const TIER_ORDER = { id: 820_000_101, customer: hedy, lines: [{ title: "Record player", price: "2600.00" }], updatedAt: PAID_AT } satisfies OrderSpec;
/** Her next order, under Diamond: 100.00 → 100 × 150% = 150 points. */
export const TIERED_ORDER = { id: 820_000_102, customer: hedy, lines: [{ title: "Vinyl record", price: "100.00" }], updatedAt: PAID_AT } satisfies OrderSpec;
/** Mary's first order, with the cart attribute the widget sets from Hedy's ?ref= link. */
export function referredOrder(referralCode: string): OrderSpec {
  return { id: 820_000_103, customer: mary, lines: [{ title: "Turntable mat", price: "40.00" }], updatedAt: PAID_AT, noteAttributes: { tally_referral: referralCode } };
}
/** The referral reward of a fresh install (program.referrals.referrerPoints). */
export const REFERRER_POINTS = 500;

export function growthCustomerDeliveries(): Delivery[] {
  return [hedy, mary].map((customer) => ({
    topic: "customers/create",
    payload: customerCreatePayload(customer),
    subject: `customer ${customer.id} ${fullName(customer)}`,
    note: "",
    webhookId: randomUUID(),
  }));
}

export function orderDelivery(spec: OrderSpec, note: string): Delivery {
  return { topic: "orders/paid", payload: orderPayload(spec), subject: `order ${spec.id}`, note, webhookId: randomUUID() };
}
