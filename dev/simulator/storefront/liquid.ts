// liquidjs set up as Shopify's Liquid for the extension: snippets resolved from snippets/,
// the {% schema %} and {% doc %} tags, and the Shopify filters the extension uses (`t`,
// `asset_url`, `money`, `json`). Unknown filters fail the render, so a filter Shopify would not
// know cannot slip into the extension unnoticed.
import { Liquid, type TagToken, type Template, type TopLevelToken } from "liquidjs";
import { blockSettings, blockSource, SNIPPETS_DIR, type BlockName } from "./extension";
import { storefrontLocales, translator, type LocaleTree } from "./locales";
import type { StorefrontGlobals } from "./objects";

export interface ExtensionLiquidOptions {
  locale: string;
  /** A missing translation throws instead of rendering "translation missing: …". */
  strictTranslations?: boolean;
  /** How `asset_url` turns "tally-widget.js" into a URL. */
  assetUrl?: (file: string) => string;
  locales?: Map<string, LocaleTree>;
  /**
   * Keep parsed snippets and blocks (as Shopify keeps compiled Liquid): a page then renders in a
   * few milliseconds instead of tens. Only for an engine that is dropped when the files change
   * (pages.ts does that); off by default, so every render reads the files as they are.
   */
  cache?: boolean;
}

/** Tags whose body is documentation for Shopify's tools, not output. */
const SILENT_BLOCK_TAGS = ["schema", "doc", "javascript", "stylesheet"];

export function createExtensionLiquid(options: ExtensionLiquidOptions): Liquid {
  const engine = new Liquid({
    root: [SNIPPETS_DIR],
    extname: ".liquid",
    strictFilters: true,
    cache: options.cache ?? false,
  });
  for (const name of SILENT_BLOCK_TAGS) {
    engine.registerTag(name, {
      parse(token: TagToken, remainTokens: TopLevelToken[]) {
        for (let next = remainTokens.shift(); next; next = remainTokens.shift()) {
          if ((next as TagToken).name === `end${name}`) return;
        }
        throw new Error(`{% ${name} %} is not closed (${token.getText()})`);
      },
      render() {
        return "";
      },
    });
  }

  const t = translator(options.locales ?? storefrontLocales(), options.locale, { strict: options.strictTranslations });
  engine.registerFilter("t", (key: string, ...args: [string, unknown][]) => t(key, Object.fromEntries(args)));
  engine.registerFilter("asset_url", (file: string) => (options.assetUrl ?? ((name) => `/assets/${name}`))(file));
  // Shopify's money: an amount in the currency's hundredths, formatted in the shop's currency.
  engine.registerFilter("money", function (this: { context: { getSync(path: string[]): unknown } }, cents: unknown) {
    const currency = String(this.context.getSync(["shop", "currency"]) ?? "USD");
    return new Intl.NumberFormat(options.locale, { style: "currency", currency }).format(Number(cents) / 100);
  });
  // JSON for a <script type="application/json">: "<" escaped so no value can close the tag.
  engine.registerFilter("json", (value: unknown) => JSON.stringify(value ?? null).replace(/</g, "\\u003c"));
  return engine;
}

/** Parsed blocks of the engines created with `cache`, by source text. */
const parsedBlocks = new WeakMap<Liquid, Map<string, Template[]>>();

export async function renderBlock(
  engine: Liquid,
  name: BlockName,
  globals: StorefrontGlobals,
  { settings = {}, id = `tally-${name}` }: { settings?: Record<string, unknown>; id?: string } = {},
): Promise<string> {
  const block = { id, settings: blockSettings(name, settings), shopify_attributes: "" };
  const source = blockSource(name);
  if (!engine.options.cache) return engine.parseAndRender(source, { block }, { globals: { ...globals } });
  let parsed = parsedBlocks.get(engine);
  if (!parsed) parsedBlocks.set(engine, (parsed = new Map()));
  let templates = parsed.get(source);
  if (!templates) parsed.set(source, (templates = engine.parse(source)));
  return engine.render(templates, { block }, { globals: { ...globals } });
}
