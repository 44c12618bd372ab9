// Renders the extension's blocks as Shopify would for a given shopper and shop, and reads the
// result the way the tests need it: by data-tally-* hooks, not by layout.
import type { CustomerSummary } from "../../widget/contract";
import type { BlockName } from "../../dev/simulator/storefront/extension";
import { createExtensionLiquid, renderBlock } from "../../dev/simulator/storefront/liquid";
import { storefrontGlobals, type StorefrontShop } from "../../dev/simulator/storefront/objects";
import { SHOP } from "./fixtures";

export interface RenderCase {
  block?: BlockName;
  locale?: string;
  shop?: StorefrontShop;
  /** Signed-in customer; `summary: undefined` means the metafield is missing. */
  customer?: { id?: number; firstName?: string | null; summary?: CustomerSummary | null } | null;
  settings?: Record<string, unknown>;
}

export function renderWidget(options: RenderCase = {}): Promise<string> {
  const locale = options.locale ?? "en";
  const engine = createExtensionLiquid({ locale, strictTranslations: true, assetUrl: (file) => `/cdn/assets/${file}` });
  const customer = options.customer ? { id: options.customer.id ?? 501, firstName: options.customer.firstName ?? "Ada", summary: options.customer.summary } : null;
  const globals = storefrontGlobals({ shop: options.shop ?? SHOP, customer, locale });
  return renderBlock(engine, options.block ?? "launcher", globals, { settings: options.settings });
}

/** The opening tag of the (first) element carrying `attribute` (e.g. 'data-tally-field="balance"'). */
export function openingTag(html: string, attribute: string): string {
  const match = new RegExp(`<[a-z0-9]+\\b[^>]*${escapeRegExp(attribute)}[^>]*>`).exec(html);
  if (!match) throw new Error(`no element with ${attribute}`);
  return match[0];
}

/** Text of every element carrying `attribute` that holds only text, whitespace collapsed. */
export function texts(html: string, attribute: string): string[] {
  const pattern = new RegExp(`<([a-z0-9]+)\\b[^>]*${escapeRegExp(attribute)}[^>]*>([^<]*)</\\1>`, "g");
  return [...html.matchAll(pattern)].map((match) => match[2].replace(/\s+/g, " ").trim());
}

export function text(html: string, attribute: string): string {
  const found = texts(html, attribute);
  if (!found.length) throw new Error(`no text element with ${attribute}`);
  return found[0];
}

export function field(html: string, name: string): string {
  return text(html, `data-tally-field="${name}"`);
}

export function isHidden(html: string, attribute: string): boolean {
  return /\shidden(\s|>|=)/.test(openingTag(html, attribute));
}

/** The JSON the script reads. */
export function widgetConfig(html: string): Record<string, unknown> & { strings: Record<string, unknown> } {
  const match = /<script type="application\/json" data-tally-config>([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error("no data-tally-config");
  return JSON.parse(match[1]);
}

/** What a shopper reads: tags dropped, entities of the escape filter decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
