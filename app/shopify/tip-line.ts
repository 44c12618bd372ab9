// Whether a REST line item is a tip. Its own module, free of imports, so that the Admin API
// stand-in (dev/simulator/shopify-orders.ts, loaded into the server's primary in benches) reads a
// tip exactly as the webhooks' parser (payloads.ts) does.

/**
 * REST sends a tip as a line item ("Tip", no product) with tip_payment_gateway and
 * tip_payment_method, fields present only on tips (either may be null), and, in newer versions,
 * a `tip` object. A tip earns nothing, like shipping.
 */
export function isTipLine(line: { tip?: object | null; tip_payment_gateway?: string | null; tip_payment_method?: string | null; product_id?: unknown }): boolean {
  const tipFieldsPresent = line.tip != null || line.tip_payment_gateway !== undefined || line.tip_payment_method !== undefined;
  return tipFieldsPresent && line.product_id == null;
}
