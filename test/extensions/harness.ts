// Renders Tally's UI extensions with Shopify's tester (@shopify/ui-extensions-tester): the mock
// `shopify` global of the target, with the extension's own locale files as translations (a
// missing key throws, so every rendered state proves its wording exists), and Tally's API
// answered by a stand-in that checks the session token is sent.
import { readFileSync } from "node:fs";
import path from "node:path";
import { getExtension } from "@shopify/ui-extensions-tester";
import { render } from "preact";
import { vi } from "vitest";

export const LOCALES = ["en", "de", "es", "fr", "it", "nl"] as const;
export type Locale = (typeof LOCALES)[number];
export const SESSION_TOKEN = "session-token-from-shopify";

type Tree = { [key: string]: string | Tree };

export function localeFile(extension: string, locale: Locale): Tree {
  return JSON.parse(readFileSync(path.join("extensions", extension, "locales", `${locale === "en" ? "en.default" : locale}.json`), "utf8")) as Tree;
}

/** Shopify's `translate` as extensions see it: nested keys, `count` picking one/other, {{name}} replaced. */
export function translator(extension: string, locale: Locale) {
  const tree = localeFile(extension, locale);
  const plural = new Intl.PluralRules(locale);
  return (key: string, options: Record<string, unknown> = {}) => {
    let found: string | Tree | undefined = key.split(".").reduce<string | Tree | undefined>((node, part) => (typeof node === "object" ? node[part] : undefined), tree);
    if (typeof found === "object" && typeof options.count === "number") found = found[plural.select(options.count)] ?? found.other;
    if (typeof found !== "string") throw new Error(`${extension}/${locale}: no translation for "${key}"`);
    return found.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
      if (!(name in options)) throw new Error(`${extension}/${locale}: "${key}" needs {{${name}}}`);
      return String(options[name]);
    });
  };
}

export interface TallyCall {
  method: string;
  path: string;
  body: unknown;
}

/** A route of the stand-in: the JSON and status to answer, by "METHOD /path". */
export type TallyRoutes = Record<string, (call: TallyCall) => { status?: number; json: unknown } | Promise<{ status?: number; json: unknown }>>;

export function setUpExtension(extension: string, target: Parameters<typeof getExtension>[0], { locale = "en" as Locale, routes = {} as TallyRoutes } = {}) {
  const harness = getExtension(target, { configSearchDir: path.resolve("extensions", extension) });
  harness.setUp();
  const shopify = harness.shopify as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const i18n = { ...shopify.i18n };
  i18n.translate = translator(extension, locale);
  i18n.formatNumber = (value: number) => new Intl.NumberFormat(locale).format(value);
  i18n.formatCurrency = (value: number, options: { currency: string }) => new Intl.NumberFormat(locale, { style: "currency", ...options }).format(value);
  i18n.formatDate = (value: Date, options?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options).format(value);
  shopify.i18n = i18n;
  shopify.sessionToken = { get: vi.fn(async () => SESSION_TOKEN) };
  const calls: TallyCall[] = [];
  harness.fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const call = { method: init.method ?? "GET", path: url.pathname + url.search, body: init.body ? JSON.parse(String(init.body)) : undefined };
    const route = routes[`${call.method} ${url.protocol === "shopify:" ? url.href : url.pathname}`];
    if (url.protocol !== "shopify:") {
      calls.push(call);
      if (url.origin !== "https://tally.example.com") throw new TypeError(`fetch to ${url.origin}`);
      if (new Headers(init.headers).get("Authorization") !== `Bearer ${SESSION_TOKEN}`) return Response.json({ error: { code: "missing_session_token" } }, { status: 401 });
    }
    if (!route) throw new TypeError(`no answer for ${call.method} ${url.href}`);
    const answer = await route(call);
    return Response.json(answer.json, { status: answer.status ?? 200 });
  }) as typeof fetch;
  return { harness, shopify, calls, render: () => harness.render(), [Symbol.dispose]: () => unmount(harness) };
}

// Unmounted first: Preact keeps its tree on document.body, which the tester empties but keeps, so
// the next render would patch the old (detached) tree, and the old one's timers would run on.
function unmount(harness: ReturnType<typeof getExtension>) {
  render(null, document.body);
  harness.tearDown();
}

/** The visible text of the rendered extension (attributes that people read included). */
export function text(root: ParentNode = document.body): string {
  const parts: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === 3) parts.push(node.textContent ?? "");
    if (node instanceof Element) for (const name of ["heading", "label", "accessibilitylabel", "accessibilityLabel"]) if (node.getAttribute(name)) parts.push(node.getAttribute(name)!);
    node.childNodes.forEach(walk);
  };
  walk(root);
  return parts.join(" ").replace(/\s+/g, " ").trim();
}

export const settle = (assertion: () => void) => vi.waitFor(assertion, { timeout: 2_000, interval: 10 });

/** What a shopper's press on an `s-button` dispatches (a disabled one cannot be pressed). */
export function click(element: Element) {
  if (element.hasAttribute("disabled")) throw new Error(`${element.textContent} is disabled`);
  element.dispatchEvent(new Event("click", { bubbles: true }));
}

/** A choice in an `s-select` or a field: its value, then the change event. */
export function change(element: Element, value: string) {
  (element as unknown as { value: string }).value = value;
  element.dispatchEvent(new Event("change", { bubbles: true }));
}
