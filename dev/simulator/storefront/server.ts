// A local storefront for Tally's theme app extension: renders the extension's Liquid inside a
// minimal theme, serves its assets as Shopify's CDN would, forwards /apps/tally/* to the app as
// Shopify's app proxy does (signed), and keeps a cart (referral attribute, discount links).
//
// Who is signed in: ?customer=<id> on any page (remembered in a cookie; ?customer= signs out),
// or the switcher in the header. Locales: /de, /fr, /es, /it, /nl prefixes, as Shopify's.
// For tests and demos, per request: ?summary=none or ?program=none render without that metafield
// (the skeleton the script fills), ?embed=0 leaves the app embed out, ?setting.<id>=<value> and
// ?block.<id>=<value> override the embed's and the app block's settings.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { storefrontProxyPrefix } from "../app-config";
import { customerMetafields, programMetafield, type AppConnection } from "./app-data";
import { Carts } from "./cart";
import { ASSETS_DIR } from "./extension";
import { DEFAULT_LOCALE, storefrontLocales } from "./locales";
import type { StorefrontCustomer } from "./objects";
import { renderPage, type DemoCustomer, type PageKind } from "./pages";
import { forwardToApp } from "./proxy";

export interface StorefrontOptions {
  appUrl: string;
  apiSecret: string;
  shop: string;
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  shopName?: string;
  currency?: string;
  customers?: DemoCustomer[];
  log?: (line: string) => void;
}

export interface RunningStorefront {
  url: string;
  port: number;
  carts: Carts;
  stop(): Promise<void>;
}

export const ASSET_PATH = "/cdn/shop/extensions/tally-widget/assets/";
const CUSTOMER_COOKIE = "tally_dev_customer";
const CART_COOKIE = "cart";
const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};
const PAGES: Record<string, PageKind> = {
  "/": "home",
  "/pages/rewards": "rewards",
  "/account": "account",
  "/account/login": "login",
  "/account/register": "login",
};

export async function startStorefront(options: StorefrontOptions): Promise<RunningStorefront> {
  const app: AppConnection = { appUrl: options.appUrl.replace(/\/$/, ""), apiSecret: options.apiSecret, shop: options.shop };
  const log = options.log ?? ((line) => console.warn(line));
  const carts = new Carts();
  const locales = [...storefrontLocales().keys()];
  const proxyPrefix = storefrontProxyPrefix();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://storefront.local");
    const { locale, rest } = splitLocale(url.pathname, locales);
    const cookies = parseCookies(request.headers.cookie);
    const setCookies: string[] = [];

    let customerId = parseCustomerId(cookies[CUSTOMER_COOKIE]);
    if (url.searchParams.has("customer")) {
      customerId = parseCustomerId(url.searchParams.get("customer") ?? "");
      setCookies.push(`${CUSTOMER_COOKIE}=${customerId ?? ""}; Path=/; SameSite=Lax${customerId ? "" : "; Max-Age=0"}`);
    }

    if (rest.startsWith(ASSET_PATH)) return serveAsset(request, response, rest.slice(ASSET_PATH.length));
    if (rest === proxyPrefix || rest.startsWith(`${proxyPrefix}/`)) {
      const body = await readBody(request);
      return forwardToApp(request, response, { ...app, endpoint: rest.slice(proxyPrefix.length + 1), search: url.searchParams, customerId, body });
    }
    if (rest === "/cart.js" || rest === "/cart/update.js") {
      const token = cookies[CART_COOKIE];
      const cart = rest === "/cart/update.js" && request.method === "POST" ? carts.update(token, parseJson(await readBody(request))) : carts.get(token);
      if (cart.token !== token) setCookies.push(`${CART_COOKIE}=${cart.token}; Path=/; SameSite=Lax`);
      return send(request, response, 200, "application/json; charset=utf-8", JSON.stringify(cart), setCookies);
    }
    // Shopify's discount link: the code goes on the cart, then to `redirect` (a path on this
    // storefront) or the locale's home page.
    const discount = /^\/discount\/([^/]+)$/.exec(rest);
    if (discount) {
      const cart = carts.applyDiscount(cookies[CART_COOKIE], decodeURIComponent(discount[1]));
      if (cart.token !== cookies[CART_COOKIE]) setCookies.push(`${CART_COOKIE}=${cart.token}; Path=/; SameSite=Lax`);
      const redirect = url.searchParams.get("redirect");
      const home = locale === DEFAULT_LOCALE ? "/" : `/${locale}`;
      response.writeHead(302, { location: redirect && /^\/(?!\/)/.test(redirect) ? redirect : home, "set-cookie": setCookies }).end();
      return;
    }
    if (rest === "/account/logout") {
      response.writeHead(302, { location: locale === DEFAULT_LOCALE ? "/" : `/${locale}`, "set-cookie": `${CUSTOMER_COOKIE}=; Path=/; Max-Age=0` }).end();
      return;
    }
    if (rest === "/favicon.ico") return void response.writeHead(204).end();

    const kind = PAGES[rest];
    if (!kind) return send(request, response, 404, "text/plain; charset=utf-8", "Not found", setCookies);
    if (kind === "account" && customerId === null) {
      response.writeHead(302, { location: `${locale === DEFAULT_LOCALE ? "" : `/${locale}`}/account/login` }).end();
      return;
    }

    const [program, member] = await Promise.all([
      url.searchParams.get("program") === "none" ? null : programMetafield(app).catch((error: Error) => void log(`program metafield: ${error.message}`)),
      customerId === null ? null : customerMetafields(app, customerId).catch((error: Error) => void log(`customer metafield: ${error.message}`)),
    ]);
    const customer: StorefrontCustomer | null =
      customerId === null
        ? null
        : {
            id: customerId,
            firstName: member?.firstName ?? options.customers?.find((person) => person.id === customerId)?.name.split(" ")[0] ?? null,
            summary: url.searchParams.get("summary") === "none" ? null : (member?.summary ?? null),
          };
    const html = await renderPage({
      kind,
      locale,
      path: url.pathname,
      shop: { domain: options.shop, name: options.shopName ?? "Tally Test Goods", currency: options.currency ?? program?.currency ?? "USD", program: program ?? null },
      customer,
      embed: url.searchParams.get("embed") !== "0",
      embedSettings: prefixedParams(url.searchParams, "setting."),
      blockSettings: prefixedParams(url.searchParams, "block."),
      demoCustomers: options.customers ?? [],
      assetUrl: assetUrl,
    });
    send(request, response, 200, "text/html; charset=utf-8", html, setCookies);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      log(`storefront: ${request.method} ${request.url}: ${error.stack ?? error.message}`);
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end("Storefront error");
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    carts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Shopify's CDN URL for an extension asset, versioned by content so it can be cached forever. */
function assetUrl(file: string): string {
  const content = readFileSync(path.join(ASSETS_DIR, path.basename(file)));
  return `${ASSET_PATH}${encodeURIComponent(file)}?v=${createHash("sha256").update(content).digest("hex").slice(0, 10)}`;
}

function serveAsset(request: IncomingMessage, response: ServerResponse, file: string): void {
  const name = path.basename(decodeURIComponent(file));
  const type = CONTENT_TYPES[path.extname(name)];
  let content: Buffer;
  try {
    content = readFileSync(path.join(ASSETS_DIR, name));
  } catch {
    return void response.writeHead(404).end();
  }
  if (!type) return void response.writeHead(404).end();
  send(request, response, 200, type, content, [], { "cache-control": "public, max-age=31536000, immutable" });
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  cookies: string[],
  extraHeaders: Record<string, string> = {},
): void {
  const headers: Record<string, string | string[]> = { "content-type": type, vary: "accept-encoding", ...extraHeaders };
  if (cookies.length) headers["set-cookie"] = cookies;
  let payload = typeof body === "string" ? Buffer.from(body) : body;
  // Shopify's CDN compresses; so does this, or every size it measures would be too large.
  if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? "")) && payload.length > 512) {
    payload = gzipSync(payload);
    headers["content-encoding"] = "gzip";
  }
  response.writeHead(status, headers).end(request.method === "HEAD" ? undefined : payload);
}

function splitLocale(pathname: string, locales: string[]): { locale: string; rest: string } {
  const match = /^\/([a-z]{2}(?:-[A-Z]{2})?)(\/.*)?$/.exec(pathname);
  if (match && match[1] !== DEFAULT_LOCALE && locales.includes(match[1])) return { locale: match[1], rest: match[2] ?? "/" };
  return { locale: DEFAULT_LOCALE, rest: pathname };
}

function parseCustomerId(value: string | undefined): number | null {
  return value && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : null;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0) cookies[part.slice(0, index).trim()] = decodeURIComponent(part.slice(index + 1).trim());
  }
  return cookies;
}

function prefixedParams(search: URLSearchParams, prefix: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of search) {
    if (!key.startsWith(prefix)) continue;
    values[key.slice(prefix.length)] = value === "true" ? true : value === "false" ? false : value;
  }
  return values;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
}
