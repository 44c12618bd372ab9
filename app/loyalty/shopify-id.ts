// Shopify's ids for orders, customers and refunds are 64-bit. Shopify's own sample payloads use
// ids past 2^53 (order 820982911946154508), which a JS number would round — and two orders
// could then share an id. They are bigint everywhere in the app.
export type ShopifyId = bigint;

const json = JSON as unknown as { rawJSON(text: string): unknown };

/**
 * An id for a JSON body. It stays a JSON number, as the storefront API documents; past 2^53 it
 * is written digit for digit (JSON.rawJSON) rather than rounded.
 */
export function jsonId(id: ShopifyId): number {
  const asNumber = Number(id);
  return Number.isSafeInteger(asNumber) ? asNumber : (json.rawJSON(id.toString()) as number);
}

/** Shopify's ids are signed 64-bit integers (and stored as such: BigInt columns). */
export const MAX_SHOPIFY_ID = 2n ** 63n - 1n;
