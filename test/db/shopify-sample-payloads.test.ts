// Payloads shaped like the samples Shopify sends from the CLI (`shopify app webhook trigger`) and
// the admin's "Send test notification": 18-digit ids, many fields null (processed_at, the
// customer's timestamps, discount codes), a line whose discount exceeds its price, shipping
// lines. Each must be accepted (2xx) and credited by the rules, not refused as malformed.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { balanceOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { shopifyJson } from "../../dev/simulator/shopify-payloads";

const SHOP = "sample-payloads.myshopify.com";

const money = (amount: string) => ({
  shop_money: { amount, currency_code: "USD" },
  presentment_money: { amount, currency_code: "USD" },
});

/** A line of the sample: one iPod at 199.00, less `discount` (allocated by discount application 0). */
function sampleLine(id: bigint, discount: string) {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
    attributed_staffs: [],
    current_quantity: 1,
    fulfillable_quantity: 1,
    fulfillment_service: "manual",
    fulfillment_status: null,
    gift_card: false,
    grams: 567,
    name: "IPod Nano - 8GB",
    price: "199.00",
    price_set: money("199.00"),
    product_exists: true,
    product_id: 632910392n,
    properties: [],
    quantity: 1,
    requires_shipping: true,
    sku: "IPOD2008PINK",
    taxable: true,
    title: "IPod Nano - 8GB",
    total_discount: discount,
    total_discount_set: money(discount),
    variant_id: 808950810n,
    variant_inventory_management: "shopify",
    variant_title: null,
    vendor: null,
    tax_lines: [],
    duties: [],
    discount_allocations: Number(discount) > 0 ? [{ amount: discount, amount_set: money(discount), discount_application_index: 0 }] : [],
  };
}

function sampleOrder(overrides: Record<string, unknown> = {}) {
  return {
    id: 820982911946154508n,
    admin_graphql_api_id: "gid://shopify/Order/820982911946154508",
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: true,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: null,
    checkout_id: null,
    checkout_token: null,
    client_details: null,
    closed_at: null,
    confirmation_number: null,
    confirmed: false,
    contact_email: "jon@example.com",
    created_at: "2021-12-31T19:00:00-05:00",
    currency: "USD",
    current_subtotal_price: "398.00",
    current_subtotal_price_set: money("398.00"),
    current_total_additional_fees_set: null,
    current_total_discounts: "0.00",
    current_total_discounts_set: money("0.00"),
    current_total_duties_set: null,
    current_total_price: "408.00",
    current_total_price_set: money("408.00"),
    current_total_tax: "0.00",
    current_total_tax_set: money("0.00"),
    customer_locale: "en",
    device_id: null,
    discount_codes: [],
    duties_included: false,
    email: "jon@example.com",
    estimated_taxes: false,
    financial_status: "paid",
    fulfillment_status: null,
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_of_record_app_id: null,
    name: "#9999",
    note: null,
    note_attributes: [],
    number: 234,
    order_number: 1234,
    order_status_url: "https://jsmith.myshopify.com/548380009/orders/123456abcd/authenticate?key=abcdefg",
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: ["visa", "bogus"],
    phone: null,
    po_number: null,
    presentment_currency: "USD",
    processed_at: null,
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: "web",
    source_url: null,
    subtotal_price: "388.00",
    subtotal_price_set: money("388.00"),
    tags: "tag1, tag2",
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test: true,
    token: "123456abcd",
    total_discounts: "20.00",
    total_discounts_set: money("20.00"),
    total_line_items_price: "408.00",
    total_line_items_price_set: money("408.00"),
    total_outstanding: "0.00",
    total_price: "398.00",
    total_price_set: money("398.00"),
    total_shipping_price_set: money("10.00"),
    total_tax: "0.00",
    total_tax_set: money("0.00"),
    total_tip_received: "0.00",
    total_weight: 0,
    updated_at: "2021-12-31T19:00:00-05:00",
    user_id: null,
    billing_address: null,
    customer: {
      id: 115310627314723954n,
      email: "john@example.com",
      created_at: null,
      updated_at: null,
      first_name: "John",
      last_name: "Smith",
      state: "disabled",
      note: null,
      verified_email: true,
      multipass_identifier: null,
      tax_exempt: false,
      phone: null,
      email_marketing_consent: null,
      sms_marketing_consent: null,
      tags: "",
      currency: "USD",
      tax_exemptions: [],
      admin_graphql_api_id: "gid://shopify/Customer/115310627314723954",
      default_address: null,
    },
    discount_applications: [],
    fulfillments: [],
    line_items: [sampleLine(866550311766439020n, "0.00"), sampleLine(141249953214522974n, "20.00")],
    payment_terms: null,
    refunds: [],
    shipping_address: null,
    shipping_lines: [
      {
        id: 271878346596884015n,
        carrier_identifier: null,
        code: null,
        discounted_price: "10.00",
        discounted_price_set: money("10.00"),
        is_removed: false,
        phone: null,
        price: "10.00",
        price_set: money("10.00"),
        requested_fulfillment_service_id: null,
        source: "shopify",
        title: "Generic Shipping",
        tax_lines: [],
        discount_allocations: [],
      },
    ],
    returns: [],
    ...overrides,
  };
}

const deliver = (topic: string, payload: unknown) => deliverWebhook(topic, null, { shop: SHOP, rawBody: shopifyJson(payload) });

describe("Shopify's sample payloads", () => {
  it("credits the sample orders/paid: 199.00 + (199.00 − 20.00), shipping excluded", async () => {
    const response = await deliver("orders/paid", sampleOrder());
    expect(response.status).toBe(200);
    expect(await balanceOf(db, 115310627314723954n, SHOP)).toBe(378);
  });

  it("takes back the sample refunds/create: the refunded line's subtotal", async () => {
    const refund = {
      id: 890088186047892319n,
      order_id: 820982911946154508n,
      created_at: "2022-01-01T10:00:00-05:00",
      note: "Things were damaged",
      user_id: 548380009,
      processed_at: "2022-01-01T10:00:00-05:00",
      restock: false,
      duties: [],
      total_duties_set: money("0.00"),
      additional_fees: [],
      total_additional_fees_set: money("0.00"),
      return: null,
      refund_shipping_lines: [],
      admin_graphql_api_id: "gid://shopify/Refund/890088186047892319",
      refund_line_items: [
        {
          id: 487817672276298554n,
          quantity: 1,
          line_item_id: 866550311766439020n,
          location_id: null,
          restock_type: "no_restock",
          subtotal: 199.0,
          total_tax: 0.0,
          subtotal_set: money("199.00"),
          total_tax_set: money("0.00"),
          line_item: { ...sampleOrder().line_items[0] },
        },
      ],
      transactions: [
        {
          id: 245135271310205875n,
          order_id: 820982911946154508n,
          kind: "refund",
          gateway: "bogus",
          status: "success",
          message: null,
          created_at: "2022-01-01T10:00:00-05:00",
          test: false,
          authorization: null,
          location_id: null,
          user_id: null,
          parent_id: null,
          processed_at: null,
          device_id: null,
          error_code: null,
          source_name: "web",
          receipt: {},
          amount: "199.00",
          currency: "USD",
          payment_id: "#9999.1",
          total_unsettled_set: money("0.00"),
          manual_payment_gateway: false,
          admin_graphql_api_id: "gid://shopify/OrderTransaction/245135271310205875",
        },
      ],
      order_adjustments: [],
    };
    expect((await deliver("refunds/create", refund)).status).toBe(200);
    expect(await balanceOf(db, 115310627314723954n, SHOP)).toBe(179);
  });

  it("takes a cancelled sample order back to zero, and earns nothing from one that arrives cancelled", async () => {
    expect((await deliver("orders/cancelled", sampleOrder({ cancelled_at: "2022-01-01T10:00:00-05:00", cancel_reason: "customer", updated_at: "2022-01-01T10:00:00-05:00" }))).status).toBe(200);
    expect(await balanceOf(db, 115310627314723954n, SHOP)).toBe(0);

    // The CLI's orders/paid sample names a cancelled order.
    const cancelledOnArrival = sampleOrder({ id: 820982911946154599n, cancelled_at: "2021-12-31T19:00:00-05:00", cancel_reason: "customer" });
    expect((await deliver("orders/paid", cancelledOnArrival)).status).toBe(200);
    expect(await balanceOf(db, 115310627314723954n, SHOP)).toBe(0);
  });

  it("accepts a line whose discount exceeds its price, as the older samples have, counting it as 0", async () => {
    const order = sampleOrder({ id: 820982911946154600n });
    const [first, second] = order.line_items;
    const free = { ...second!, price: "0.00", price_set: money("0.00"), discount_allocations: [{ amount: "5.00", amount_set: money("5.00"), discount_application_index: 0 }] };
    expect((await deliver("orders/paid", { ...order, line_items: [first, free] })).status).toBe(200);
    expect(await balanceOf(db, 115310627314723954n, SHOP)).toBe(199);
  });
});
