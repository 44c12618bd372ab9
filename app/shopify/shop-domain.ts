const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** A shop's permanent myshopify.com domain, the key every row is scoped by. */
export function isShopDomain(value: string | null | undefined): value is string {
  return typeof value === "string" && value.length <= 255 && SHOP_DOMAIN.test(value);
}
