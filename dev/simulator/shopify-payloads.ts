// REST webhook payloads shaped like Shopify's (API 2026-10): money as decimal strings in
// *_set.shop_money / presentment_money, admin_graphql_api_id, discount allocations, tax lines.
// Amounts are given in shop currency; presentment money is a different currency on purpose,
// so a handler that read it would be caught.
import { jsonId } from "~/loyalty/shopify-id";

export interface LineSpec {
  /** Unit price in shop currency, e.g. "25.00". */
  price: string;
  quantity?: number;
  /** Units still on the order after edits/refunds (current_quantity); defaults to quantity. */
  currentQuantity?: number;
  /** Total discount allocated to the line, e.g. "5.00". */
  discount?: string;
  /** Total tax on the line, e.g. "2.00". */
  tax?: string;
  giftCard?: boolean;
  title?: string;
  id?: number;
}

export interface OrderSpec {
  id: number;
  customer?: { id: number; email?: string; firstName?: string; lastName?: string } | null;
  lines: LineSpec[];
  currency?: string;
  taxesIncluded?: boolean;
  shipping?: string;
  tip?: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  financialStatus?: string;
  refunds?: Record<string, unknown>[];
  /** The discount code the order's discounts came from (default WELCOME10 when it has any). */
  discountCode?: string;
  /** Cart attributes, as the storefront set them (the widget's `tally_referral`). */
  noteAttributes?: Record<string, string>;
}

const PRESENTMENT_RATE = 1.37;
const PRESENTMENT_CURRENCY = "CAD";

export function moneySet(amount: string, currency = "USD") {
  const presentment = (Number(amount) * PRESENTMENT_RATE).toFixed(2);
  return {
    shop_money: { amount, currency_code: currency },
    presentment_money: { amount: presentment, currency_code: PRESENTMENT_CURRENCY },
  };
}

function cents(amount: string | undefined): number {
  return Math.round(Number(amount ?? "0") * 100);
}
function decimal(minor: number): string {
  return (minor / 100).toFixed(2);
}

export function lineItemId(orderId: number, index: number): number {
  return orderId * 100 + index + 1;
}

export function customerObject(customer: NonNullable<OrderSpec["customer"]>, currency = "USD") {
  return {
    id: customer.id,
    email: customer.email ?? `customer${customer.id}@example.com`,
    created_at: "2026-01-10T09:00:00-05:00",
    updated_at: "2026-11-20T09:00:00-05:00",
    first_name: customer.firstName ?? "Ada",
    last_name: customer.lastName ?? "Lovelace",
    state: "enabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: null,
    email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: null },
    sms_marketing_consent: null,
    tags: "",
    currency,
    tax_exemptions: [],
    admin_graphql_api_id: `gid://shopify/Customer/${customer.id}`,
    default_address: {
      id: customer.id + 1,
      customer_id: customer.id,
      first_name: customer.firstName ?? "Ada",
      last_name: customer.lastName ?? "Lovelace",
      address1: "1 Main St",
      city: "Ottawa",
      province: "Ontario",
      country: "Canada",
      zip: "K1A 0A1",
      country_code: "CA",
      province_code: "ON",
      default: true,
    },
  };
}

/** A tip's line item as Shopify's REST orders carry it (tip_payment_* are present, and may be null). */
function tipLineItem(id: number, amount: string, currency: string) {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
    attributed_staffs: [],
    current_quantity: 1,
    fulfillable_quantity: 0,
    fulfillment_service: "manual",
    fulfillment_status: "not_eligible",
    gift_card: false,
    grams: 0,
    name: "Tip",
    price: amount,
    price_set: moneySet(amount, currency),
    product_exists: false,
    product_id: null,
    properties: [],
    quantity: 1,
    requires_shipping: false,
    sku: null,
    taxable: false,
    tip: { payment_method: null, payment_gateway: null },
    tip_payment_gateway: null,
    tip_payment_method: null,
    title: "Tip",
    total_discount: "0.00",
    total_discount_set: moneySet("0.00", currency),
    variant_id: null,
    variant_inventory_management: null,
    variant_title: null,
    vendor: null,
    tax_lines: [],
    duties: [],
    discount_allocations: [],
  };
}

export function orderPayload(spec: OrderSpec) {
  const currency = spec.currency ?? "USD";
  const lineItems = spec.lines.map((line, index) => {
    const quantity = line.quantity ?? 1;
    const id = line.id ?? lineItemId(spec.id, index);
    return {
      id,
      admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
      attributed_staffs: [],
      current_quantity: line.currentQuantity ?? quantity,
      fulfillable_quantity: line.currentQuantity ?? quantity,
      fulfillment_service: "manual",
      fulfillment_status: null,
      gift_card: line.giftCard ?? false,
      grams: 500,
      name: line.title ?? `Product ${index + 1}`,
      price: line.price,
      price_set: moneySet(line.price, currency),
      product_exists: true,
      product_id: 7_000_000_000 + index,
      properties: [],
      quantity,
      requires_shipping: !line.giftCard,
      sku: `SKU-${index + 1}`,
      taxable: true,
      title: line.title ?? `Product ${index + 1}`,
      total_discount: "0.00",
      total_discount_set: moneySet("0.00", currency),
      variant_id: 45_000_000_000 + index,
      variant_inventory_management: "shopify",
      variant_title: null,
      vendor: "Tally Test Goods",
      tax_lines: line.tax
        ? [{ channel_liable: false, price: line.tax, price_set: moneySet(line.tax, currency), rate: 0.13, title: "HST" }]
        : [],
      duties: [],
      discount_allocations: line.discount
        ? [{ amount: line.discount, amount_set: moneySet(line.discount, currency), discount_application_index: 0 }]
        : [],
    };
  });
  const lineTotal = spec.lines.reduce((sum, line) => sum + cents(line.price) * (line.quantity ?? 1), 0);
  const discounts = spec.lines.reduce((sum, line) => sum + cents(line.discount), 0);
  const tax = spec.lines.reduce((sum, line) => sum + cents(line.tax), 0);
  const shipping = cents(spec.shipping ?? "7.50");
  const tip = cents(spec.tip);
  const subtotal = lineTotal - discounts;
  const total = subtotal + shipping + tip + (spec.taxesIncluded ? 0 : tax);
  const createdAt = "2026-11-20T10:00:00-05:00";
  return {
    id: spec.id,
    admin_graphql_api_id: `gid://shopify/Order/${spec.id}`,
    app_id: 580111,
    browser_ip: "203.0.113.9",
    buyer_accepts_marketing: true,
    cancel_reason: spec.cancelledAt ? "customer" : null,
    cancelled_at: spec.cancelledAt ?? null,
    cart_token: null,
    checkout_id: spec.id + 7,
    checkout_token: "a1b2c3d4e5",
    client_details: { accept_language: "en-CA", browser_ip: "203.0.113.9", user_agent: "Mozilla/5.0" },
    closed_at: null,
    confirmation_number: "KX12ABC9",
    confirmed: true,
    contact_email: spec.customer ? `customer${spec.customer.id}@example.com` : "guest@example.com",
    created_at: createdAt,
    currency,
    current_subtotal_price: decimal(subtotal),
    current_subtotal_price_set: moneySet(decimal(subtotal), currency),
    current_total_discounts: decimal(discounts),
    current_total_discounts_set: moneySet(decimal(discounts), currency),
    current_total_price: decimal(total),
    current_total_price_set: moneySet(decimal(total), currency),
    current_total_tax: decimal(tax),
    current_total_tax_set: moneySet(decimal(tax), currency),
    customer_locale: "en-CA",
    discount_codes: discounts || spec.discountCode ? [{ code: spec.discountCode ?? "WELCOME10", amount: decimal(discounts), type: "fixed_amount" }] : [],
    email: spec.customer ? `customer${spec.customer.id}@example.com` : "guest@example.com",
    estimated_taxes: false,
    financial_status: spec.financialStatus ?? "paid",
    fulfillment_status: null,
    name: `#${1000 + (spec.id % 1000)}`,
    note: null,
    note_attributes: Object.entries(spec.noteAttributes ?? {}).map(([name, value]) => ({ name, value })),
    number: spec.id % 1000,
    order_number: 1000 + (spec.id % 1000),
    order_status_url: `https://tally-test.myshopify.com/orders/${spec.id}/authenticate?key=abc`,
    payment_gateway_names: ["shopify_payments"],
    phone: null,
    presentment_currency: PRESENTMENT_CURRENCY,
    processed_at: createdAt,
    reference: null,
    source_name: "web",
    subtotal_price: decimal(subtotal),
    subtotal_price_set: moneySet(decimal(subtotal), currency),
    tags: "",
    tax_lines: tax ? [{ price: decimal(tax), rate: 0.13, title: "HST", price_set: moneySet(decimal(tax), currency), channel_liable: false }] : [],
    taxes_included: spec.taxesIncluded ?? false,
    test: false,
    token: "f00dfeedf00dfeed",
    total_discounts: decimal(discounts),
    total_discounts_set: moneySet(decimal(discounts), currency),
    total_line_items_price: decimal(lineTotal),
    total_line_items_price_set: moneySet(decimal(lineTotal), currency),
    total_outstanding: "0.00",
    total_price: decimal(total),
    total_price_set: moneySet(decimal(total), currency),
    total_shipping_price_set: moneySet(decimal(shipping), currency),
    total_tax: decimal(tax),
    total_tax_set: moneySet(decimal(tax), currency),
    total_tip_received: decimal(tip),
    total_weight: 500 * spec.lines.length,
    updated_at: spec.updatedAt ?? "2026-11-20T10:00:05-05:00",
    user_id: null,
    billing_address: null,
    customer: spec.customer ? customerObject(spec.customer, currency) : null,
    discount_applications: discounts
      ? [{ target_type: "line_item", type: "discount_code", value: decimal(discounts), value_type: "fixed_amount", allocation_method: "across", target_selection: "all", code: spec.discountCode ?? "WELCOME10" }]
      : [],
    fulfillments: [],
    // A tip is a line of its own in REST, as a shop's order shows it: no product, the tip fields.
    line_items: spec.tip ? [...lineItems, tipLineItem(lineItemId(spec.id, spec.lines.length), spec.tip, currency)] : lineItems,
    payment_terms: null,
    refunds: spec.refunds ?? [],
    shipping_address: null,
    shipping_lines: [
      {
        id: spec.id + 3,
        carrier_identifier: null,
        code: "Standard",
        discounted_price: decimal(shipping),
        discounted_price_set: moneySet(decimal(shipping), currency),
        is_removed: false,
        phone: null,
        price: decimal(shipping),
        price_set: moneySet(decimal(shipping), currency),
        requested_fulfillment_service_id: null,
        source: "shopify",
        title: "Standard",
        tax_lines: [],
        discount_allocations: [],
      },
    ],
  };
}

export interface RefundLineSpec {
  /** Index of the order line refunded. */
  line: number;
  quantity: number;
  /** Refunded amount for those units, after discounts, e.g. "20.00". */
  subtotal: string;
  tax?: string;
  giftCard?: boolean;
  /** The order's tip line (OrderSpec.tip), refunded. */
  tip?: boolean;
}

export function refundPayload(spec: {
  id: number;
  orderId: number;
  lines: RefundLineSpec[];
  shipping?: string;
  currency?: string;
}) {
  const currency = spec.currency ?? "USD";
  const refundedTotal = spec.lines.reduce((sum, line) => sum + cents(line.subtotal) + cents(line.tax), 0) + cents(spec.shipping);
  return {
    id: spec.id,
    order_id: spec.orderId,
    created_at: "2026-11-21T12:00:00-05:00",
    note: "Customer return",
    user_id: 110_000,
    processed_at: "2026-11-21T12:00:00-05:00",
    restock: true,
    duties: [],
    total_duties_set: moneySet("0.00", currency),
    return: null,
    refund_shipping_lines: spec.shipping
      ? [{ id: spec.id + 1, shipping_line_id: spec.orderId + 3, subtotal_amount_set: moneySet(spec.shipping, currency) }]
      : [],
    admin_graphql_api_id: `gid://shopify/Refund/${spec.id}`,
    refund_line_items: spec.lines.map((line, index) => {
      const lineId = lineItemId(spec.orderId, line.line);
      return {
        id: spec.id * 10 + index,
        quantity: line.quantity,
        line_item_id: lineId,
        location_id: 655_441_491,
        restock_type: "return",
        subtotal: Number(line.subtotal),
        total_tax: Number(line.tax ?? "0"),
        subtotal_set: moneySet(line.subtotal, currency),
        total_tax_set: moneySet(line.tax ?? "0.00", currency),
        line_item: {
          id: lineId,
          admin_graphql_api_id: `gid://shopify/LineItem/${lineId}`,
          gift_card: line.giftCard ?? false,
          quantity: line.quantity,
          price: line.subtotal,
          title: line.tip ? "Tip" : `Product ${line.line + 1}`,
          ...(line.tip ? { product_id: null, tip: { payment_method: null, payment_gateway: null }, tip_payment_gateway: null, tip_payment_method: null } : {}),
        },
      };
    }),
    transactions: [
      {
        id: spec.id + 2,
        admin_graphql_api_id: `gid://shopify/OrderTransaction/${spec.id + 2}`,
        amount: decimal(refundedTotal),
        authorization: null,
        created_at: "2026-11-21T12:00:00-05:00",
        currency,
        gateway: "shopify_payments",
        kind: "refund",
        order_id: spec.orderId,
        parent_id: spec.orderId + 5,
        processed_at: "2026-11-21T12:00:00-05:00",
        status: "success",
        test: false,
      },
    ],
    order_adjustments: [],
  };
}

export function customerCreatePayload(customer: { id: number; email?: string; firstName?: string; lastName?: string }) {
  return customerObject(customer);
}

/** JSON as Shopify writes it: bigint ids digit for digit (past 2^53 too), as numbers. */
export function shopifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === "bigint" ? jsonId(field) : field));
}
