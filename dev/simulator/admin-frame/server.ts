// The local admin frame: a stand-in for admin.shopify.com around the app's real embedded pages,
// so that the admin can be clicked through (and driven by Chromium) with no Shopify account.
//
// One local origin serves three things:
// - /store/<store>/apps/<handle>/<app path>: the admin's page (./frame-page.ts) with the app in an
//   iframe, opened with embedded=1, host, shop, locale and a fresh id_token, as the admin opens it;
// - /__admin-stand-in/*: the App Bridge stand-in script and session tokens signed with the app's
//   secret for the shop;
// - everything else: the app itself (the production build), forwarded as it is, except that
//   HTML documents load the stand-in instead of https://cdn.shopify.com/shopifycloud/app-bridge.js
//   and may be framed by this origin. The app is untouched: a production start serves Shopify's
//   App Bridge and refuses to be framed here (test/e2e/admin-frame.test.ts).
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { framePage, STAND_IN_PREFIX } from "./frame-page";
import { adminHost, adminSessionToken } from "./session-token";

export const APP_BRIDGE_CDN_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
export const APP_BRIDGE_STAND_IN_PATH = `${STAND_IN_PREFIX}/app-bridge.js`;
const STAND_IN_SCRIPT = readFileSync(path.join(import.meta.dirname, "app-bridge-stand-in.js"), "utf8");
/** The app's handle in admin URLs (shopify.app.toml names it; any fixed word does here). */
const APP_HANDLE = "tally";

export interface AdminFrameOptions {
  /** Where the app (the production build) runs, e.g. RunningApp.baseUrl. */
  appUrl: string;
  /** The shop the merchant is signed in to; it needs an offline session in the app's database. */
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** Default: a free port. */
  port?: number;
  appName?: string;
}

export interface RunningAdminFrame {
  /** This frame's origin, http://127.0.0.1:<port>. */
  url: string;
  shop: string;
  /** The admin's address of an app page: `adminUrl("/app/members", { locale: "de" })`. */
  adminUrl(appPath?: string, options?: { locale?: string }): string;
  /** A session token for the shop, as App Bridge's idToken() gives. */
  sessionToken(): string;
  stop(): Promise<void>;
}

export async function startAdminFrame(options: AdminFrameOptions): Promise<RunningAdminFrame> {
  const shop = options.shop;
  const store = shop.replace(/\.myshopify\.com$/, "");
  const frameBase = `/store/${store}/apps/${APP_HANDLE}`;
  const appUrl = new URL(options.appUrl);
  const token = () => adminSessionToken({ shop, apiKey: options.apiKey, apiSecret: options.apiSecret });
  let origin = "";

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", origin);
    if (url.pathname === APP_BRIDGE_STAND_IN_PATH) {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
      response.end(STAND_IN_SCRIPT);
    } else if (url.pathname === `${STAND_IN_PREFIX}/session-token` && request.method === "POST") {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ token: token() }));
    } else if (url.pathname === "/" || url.pathname === frameBase || url.pathname.startsWith(`${frameBase}/`)) {
      const appPath = url.pathname.slice(frameBase.length) || "/app";
      const locale = url.searchParams.get("locale") ?? "en";
      const iframe = new URL(appPath === "/" ? "/app" : appPath, origin);
      for (const [name, value] of url.searchParams) if (name !== "locale") iframe.searchParams.set(name, value);
      iframe.searchParams.set("embedded", "1");
      iframe.searchParams.set("host", adminHost(shop));
      iframe.searchParams.set("shop", shop);
      iframe.searchParams.set("locale", locale);
      iframe.searchParams.set("id_token", token());
      const html = framePage({ store, shop, appHandle: APP_HANDLE, appName: options.appName ?? "Tally", iframeSrc: iframe.pathname + iframe.search, locale });
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      response.end(html);
    } else {
      forwardToApp(request, response);
    }
  });

  function forwardToApp(request: IncomingMessage, response: ServerResponse): void {
    const headers = { ...request.headers, host: request.headers.host ?? appUrl.host };
    // Uncompressed, so that documents can be rewritten; it is all on this machine.
    delete headers["accept-encoding"];
    const upstream = httpRequest(
      { hostname: appUrl.hostname, port: appUrl.port, path: request.url, method: request.method, headers },
      (answer) => {
        const outgoing = { ...answer.headers };
        const location = outgoing.location;
        if (typeof location === "string" && location.startsWith(appUrl.origin)) outgoing.location = origin + location.slice(appUrl.origin.length);
        if (typeof outgoing["content-security-policy"] === "string") {
          // The app allows Shopify's admin to frame it; this origin stands in for the admin.
          outgoing["content-security-policy"] = outgoing["content-security-policy"].replace(/frame-ancestors ([^;]*)/, `frame-ancestors $1 ${origin}`);
        }
        if (typeof outgoing.link === "string") outgoing.link = outgoing.link.replace(APP_BRIDGE_CDN_URL, APP_BRIDGE_STAND_IN_PATH);
        if (!String(answer.headers["content-type"] ?? "").startsWith("text/html")) {
          response.writeHead(answer.statusCode ?? 502, outgoing);
          answer.pipe(response);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          const html = Buffer.concat(chunks).toString("utf8").replaceAll(APP_BRIDGE_CDN_URL, APP_BRIDGE_STAND_IN_PATH);
          delete outgoing["content-length"];
          delete outgoing["transfer-encoding"];
          response.writeHead(answer.statusCode ?? 502, outgoing);
          response.end(html);
        });
        answer.on("error", () => response.destroy());
      },
    );
    upstream.on("error", (error) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`The app at ${appUrl.origin} did not answer: ${error.message}`);
    });
    request.pipe(upstream);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    shop,
    adminUrl: (appPath = "/app", { locale } = {}) => {
      const target = new URL(`${frameBase}${appPath}`, origin);
      if (locale) target.searchParams.set("locale", locale);
      return target.href;
    },
    sessionToken: token,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
