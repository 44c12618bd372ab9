// Storefront pages: a minimal theme (layout with a header, a product grid placeholder, the app
// embed slot before </body>) rendering the extension's blocks with liquidjs, as Shopify would.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Liquid } from "liquidjs";
import { BLOCKS_DIR, blockSchema, LOCALES_DIR, SNIPPETS_DIR, type BlockName } from "./extension";
import { createExtensionLiquid, renderBlock } from "./liquid";
import { escapeHtml } from "./locales";
import { storefrontGlobals, type StorefrontCustomer, type StorefrontShop } from "./objects";

export type PageKind = "home" | "rewards" | "account" | "login";

export interface DemoCustomer {
  id: number;
  name: string;
}

export interface PageRequest {
  kind: PageKind;
  locale: string;
  /** The path as requested, locale prefix included (for the switcher form). */
  path: string;
  shop: StorefrontShop;
  customer: StorefrontCustomer | null;
  /** Render the app embed (the launcher) before </body>. */
  embed: boolean;
  embedSettings?: Record<string, unknown>;
  blockSettings?: Record<string, unknown>;
  demoCustomers: DemoCustomer[];
  assetUrl: (file: string) => string;
}

const THEME_DIR = path.join(import.meta.dirname, "theme");
const theme = new Liquid({ root: [THEME_DIR], extname: ".liquid", strictFilters: true, cache: true });

const TITLES: Record<PageKind, string> = { home: "Home", rewards: "Rewards", account: "Account", login: "Sign in" };
const TEMPLATES: Record<PageKind, string> = { home: "index", rewards: "page", account: "page", login: "login" };

/**
 * One engine per locale and asset URL function, with parsed Liquid kept, until a file of the
 * extension changes (edits show on the next request). Shopify serves compiled Liquid too: a
 * storefront that parsed every snippet on every request would add tens of milliseconds to the
 * document of every page with the embed, which Lighthouse counts against the widget.
 */
const engines = new Map<string, { stamp: string; assetUrl: (file: string) => string; engine: Liquid }>();

function extensionEngine(locale: string, assetUrl: (file: string) => string): Liquid {
  const stamp = extensionStamp();
  const known = engines.get(locale);
  if (known && known.stamp === stamp && known.assetUrl === assetUrl) return known.engine;
  const engine = createExtensionLiquid({ locale, assetUrl, cache: true });
  engines.set(locale, { stamp, assetUrl, engine });
  return engine;
}

/** Names, sizes and modification times of the extension's Liquid and locale files. */
function extensionStamp(): string {
  return [BLOCKS_DIR, SNIPPETS_DIR, LOCALES_DIR]
    .flatMap((dir) =>
      readdirSync(dir).map((file) => {
        const stat = statSync(path.join(dir, file));
        return `${file}:${stat.size}:${stat.mtimeMs}`;
      }),
    )
    .join("|");
}

export async function renderPage(page: PageRequest): Promise<string> {
  const engine = extensionEngine(page.locale, page.assetUrl);
  const globals = storefrontGlobals({ shop: page.shop, customer: page.customer, locale: page.locale, path: page.path });
  const blocks: BlockName[] = [];

  let appBlock = "";
  if (page.kind === "rewards" || page.kind === "account") {
    appBlock = await renderBlock(engine, "rewards", globals, { settings: page.blockSettings, id: "main-rewards" });
    blocks.push("rewards");
  }
  let appEmbeds = "";
  if (page.embed) {
    appEmbeds = await renderBlock(engine, "launcher", globals, { settings: page.embedSettings, id: "app-embed-launcher" });
    blocks.push("launcher");
  }

  // Shopify links each present block's schema "stylesheet" once, in <head>.
  const stylesheets = [...new Set(blocks.map((name) => blockSchema(name).stylesheet).filter(Boolean))] as string[];
  const contentForHeader = stylesheets.map((file) => `<link rel="stylesheet" href="${escapeHtml(page.assetUrl(file))}">`).join("\n");

  const prefix = page.locale === "en" ? "" : `/${page.locale}`;
  const scope = {
    ...globals,
    page_title: TITLES[page.kind],
    rewards_url: `${prefix}/pages/rewards`,
    demo_customers: page.demoCustomers,
    customer_listed: page.demoCustomers.some((person) => person.id === page.customer?.id),
    products: demoProducts(page.shop.currency, page.locale),
    app_block: appBlock,
  };
  const contentForLayout = await theme.renderFile(TEMPLATES[page.kind], scope);
  return theme.renderFile("layout", {
    ...scope,
    content_for_header: contentForHeader,
    content_for_layout: contentForLayout,
    content_for_app_embeds: appEmbeds,
  });
}

function demoProducts(currency: string, locale: string) {
  const money = new Intl.NumberFormat(locale, { style: "currency", currency });
  const names = ["Canvas tote", "Linen shirt", "Ceramic mug", "Wool beanie", "Field notebook", "Enamel pin", "Cotton socks", "Leather wallet"];
  return names.map((title, index) => ({ title, price: money.format(12 + index * 7.5) }));
}
