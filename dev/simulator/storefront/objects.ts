// The Shopify Liquid objects the extension reads (customer, shop, request, routes), built the way
// a storefront would expose them, app-owned metafields under their "$app:tally" namespace.
import type { CustomerSummary, PublicProgram } from "../../../widget/contract";
import { DEFAULT_LOCALE } from "./locales";

export interface StorefrontCustomer {
  id: number;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  /** The `$app:tally`.`summary` metafield; absent until the app has written it. */
  summary?: CustomerSummary | null;
}

export interface StorefrontShop {
  domain: string;
  name: string;
  currency: string;
  /** The `$app:tally`.`program` metafield; absent until the app has written it. */
  program?: PublicProgram | null;
}

export interface StorefrontGlobals {
  customer: Record<string, unknown> | null;
  shop: Record<string, unknown>;
  request: Record<string, unknown>;
  routes: Record<string, string>;
  settings: Record<string, unknown>;
}

/** A metafield as Liquid sees it: `.value` is the parsed JSON for type json. */
const jsonMetafield = (value: unknown) => ({ value, type: "json" });

export function storefrontGlobals(options: {
  shop: StorefrontShop;
  customer?: StorefrontCustomer | null;
  locale?: string;
  path?: string;
}): StorefrontGlobals {
  const locale = options.locale ?? DEFAULT_LOCALE;
  const prefix = locale === DEFAULT_LOCALE ? "" : `/${locale}`;
  const { shop, customer } = options;
  return {
    customer: customer
      ? {
          id: customer.id,
          first_name: customer.firstName ?? "",
          last_name: customer.lastName ?? "",
          name: [customer.firstName, customer.lastName].filter(Boolean).join(" "),
          email: customer.email ?? `customer${customer.id}@example.com`,
          metafields: { "$app:tally": customer.summary ? { summary: jsonMetafield(customer.summary) } : {} },
        }
      : null,
    shop: {
      name: shop.name,
      permanent_domain: shop.domain,
      currency: shop.currency,
      metafields: { "$app:tally": shop.program ? { program: jsonMetafield(shop.program) } : {} },
    },
    request: {
      locale: { iso_code: locale, primary: locale === DEFAULT_LOCALE, root_url: prefix || "/" },
      path: options.path ?? `${prefix}/`,
      design_mode: false,
    },
    routes: routesFor(prefix),
    settings: {},
  };
}

/** Shopify's routes object: root_url is "/" for the primary locale, "/fr" (no slash) for others. */
export function routesFor(prefix: string): Record<string, string> {
  return {
    root_url: prefix || "/",
    account_url: `${prefix}/account`,
    account_login_url: `${prefix}/account/login`,
    account_logout_url: `${prefix}/account/logout`,
    account_register_url: `${prefix}/account/register`,
    cart_url: `${prefix}/cart`,
    cart_add_url: `${prefix}/cart/add`,
    cart_change_url: `${prefix}/cart/change`,
    cart_update_url: `${prefix}/cart/update`,
    search_url: `${prefix}/search`,
  };
}
