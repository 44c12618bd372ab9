// The extension's storefront locale files and a `t` filter that behaves as Shopify's does:
// nested keys, plural forms chosen by `count` under CLDR rules (Intl.PluralRules), `{{ name }}`
// interpolation with HTML-escaped values unless the key ends in `_html`.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { LOCALES_DIR } from "./extension";

export interface LocaleTree {
  [key: string]: string | LocaleTree;
}

export const DEFAULT_LOCALE = "en";

/** Storefront locales by ISO code ("en" is en.default.json); schema locales are left out. */
export function storefrontLocales(): Map<string, LocaleTree> {
  const locales = new Map<string, LocaleTree>();
  for (const file of readdirSync(LOCALES_DIR)) {
    if (!file.endsWith(".json") || file.endsWith(".schema.json")) continue;
    const code = file.replace(/\.default\.json$|\.json$/, "");
    locales.set(code, JSON.parse(readFileSync(path.join(LOCALES_DIR, file), "utf8")) as LocaleTree);
  }
  return locales;
}

export function schemaLocales(): Map<string, LocaleTree> {
  const locales = new Map<string, LocaleTree>();
  for (const file of readdirSync(LOCALES_DIR)) {
    if (!file.endsWith(".schema.json")) continue;
    locales.set(file.replace(/(\.default)?\.schema\.json$/, ""), JSON.parse(readFileSync(path.join(LOCALES_DIR, file), "utf8")) as LocaleTree);
  }
  return locales;
}

/** Every leaf key, dotted: "tally.member.pending.one", … */
export function flattenKeys(tree: LocaleTree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : flattenKeys(value, `${prefix}${key}.`),
  );
}

export function lookup(tree: LocaleTree | undefined, key: string): string | LocaleTree | undefined {
  let node: string | LocaleTree | undefined = tree;
  for (const part of key.split(".")) {
    if (node === undefined || typeof node === "string") return undefined;
    node = node[part];
  }
  return node;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

export class MissingTranslationError extends Error {}

export interface Translator {
  (key: string, args?: Record<string, unknown>): string;
}

/**
 * `strict`: a key missing in this locale throws (tests); otherwise it renders as Shopify shows
 * it, "translation missing: de.tally.x" (the dev storefront).
 */
export function translator(locales: Map<string, LocaleTree>, locale: string, { strict = false } = {}): Translator {
  const tree = locales.get(locale);
  return (key, args = {}) => {
    const entry = lookup(tree, key);
    let template: string | undefined;
    if (typeof entry === "string") template = entry;
    else if (entry && "count" in args) {
      const category = new Intl.PluralRules(locale).select(Number(args.count));
      const form = entry[category] ?? entry.other;
      template = typeof form === "string" ? form : undefined;
    }
    if (template === undefined) {
      if (strict) throw new MissingTranslationError(`translation missing: ${locale}.${key}`);
      return `translation missing: ${locale}.${key}`;
    }
    const raw = key.endsWith("_html");
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (placeholder, name: string) => {
      if (!(name in args)) return placeholder;
      const value = String(args[name] ?? "");
      return raw ? value : escapeHtml(value);
    });
  };
}
