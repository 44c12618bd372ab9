// The embedded admin's languages: English plus the storefront widget's five. Each admin area keeps
// its own catalog (app/admin/messages/<area>.ts), typed so that a key missing in any language fails
// the typecheck instead of showing a raw key to a merchant.

export const ADMIN_LOCALES = ["en", "de", "es", "fr", "it", "nl"] as const;
export type AdminLocale = (typeof ADMIN_LOCALES)[number];

/** One area's messages in every admin language; `{name}` marks a value filled in by `t`. */
export type Catalog<Key extends string> = Record<AdminLocale, Record<Key, string>>;

/** Builds a catalog whose other languages must have exactly English's keys. */
export function defineCatalog<Key extends string>(catalog: { en: Record<Key, string> } & Record<Exclude<AdminLocale, "en">, Record<Key, string>>): Catalog<Key> {
  return catalog;
}

function isAdminLocale(value: string): value is AdminLocale {
  return (ADMIN_LOCALES as readonly string[]).includes(value);
}

/** "de-CH" → "de"; anything the admin does not speak → null. */
export function adminLocaleOf(tag: string | null | undefined): AdminLocale | null {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return language && isAdminLocale(language) ? language : null;
}

/**
 * The merchant's language: Shopify's `locale` parameter on the embedded app's URL (the staff
 * member's admin language), else the browser's Accept-Language, else English.
 */
export function adminLocale(request: Request): AdminLocale {
  const fromShopify = adminLocaleOf(new URL(request.url).searchParams.get("locale"));
  if (fromShopify) return fromShopify;
  for (const part of (request.headers.get("accept-language") ?? "").split(",")) {
    const locale = adminLocaleOf(part.split(";")[0]);
    if (locale) return locale;
  }
  return "en";
}

export type Translate<Key extends string> = (key: Key, values?: Record<string, string | number>) => string;

/** `t("earnExample", { amount: "57.60", points: 57 })`; numbers are formatted for the locale. */
export function translator<Key extends string>(catalog: Catalog<Key>, locale: AdminLocale): Translate<Key> {
  const messages = catalog[locale];
  const numbers = new Intl.NumberFormat(locale);
  return (key, values) =>
    messages[key].replace(/\{(\w+)\}/g, (placeholder, name: string) => {
      const value = values?.[name];
      if (value === undefined) return placeholder;
      return typeof value === "number" ? numbers.format(value) : value;
    });
}
