import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import db from "./db.server";
import { env } from "./env.server";
import { installAdminFetch } from "./shopify/admin-fetch.server";
import { apiVersion } from "./shopify/api-version";
import { recordInstall } from "./shopify/install.server";
import { proxySignatureIsValid } from "./shopify/app-proxy-signature";

export { apiVersion };

installAdminFetch();

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion,
  scopes: env.SCOPES,
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the storage is typed for @prisma/client's default output; ours is generated elsewhere with the same Session model
  sessionStorage: new PrismaSessionStorage(db as any),
  distribution: AppDistribution.AppStore,
  hooks: {
    // An install or reinstall: the shop gets its default program and is active again.
    afterAuth: ({ session, admin }) => recordInstall(session.shop, admin.graphql),
  },
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  // The library logs every authenticated request at info level, to the console: a line per
  // storefront read and per redeem. Tally logs what matters itself (app/logger.server.ts).
  logger: { level: LogSeverity.Warning },
  ...(env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;

// Shopify's webhook verification (HMAC, headers) on its own: authenticate.webhook makes the same
// check and then loads the shop's offline session, which Tally's webhooks never use (see
// app/shopify/webhooks.server.ts). Its session-token decoder verifies the tokens of the
// customer-account and checkout extensions (app/shopify/extension-auth.server.ts).
const api = shopifyApi({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion,
  hostName: new URL(env.SHOPIFY_APP_URL).host,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});
export const webhooks = api.webhooks;
export const sessionTokens = api.session;
// The app proxy's signature check on its own: authenticate.public.appProxy makes the same check
// and then loads the shop's offline session (a database read per storefront request), which
// Tally's proxy endpoints never use (app/shopify/app-proxy.server.ts). The check is the
// library's, with node:crypto's HMAC (app/shopify/app-proxy-signature.ts says why).
export const validateProxySignature = (query: URLSearchParams) => proxySignatureIsValid(query, env.SHOPIFY_API_SECRET);
