// Calls the real Remix route modules with real Requests, finding each module from the URI in
// shopify.app.toml (flat routes: /webhooks/orders/paid → app/routes/webhooks.orders.paid.tsx).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { proxyPath, storefrontProxyPrefix, webhookUri } from "../../dev/simulator/app-config";
import { signedProxyQuery, signedWebhookRequest, type ProxyOptions, type WebhookOptions } from "../../dev/simulator/shopify-signing";

export const APP_URL = "https://tally.test";

interface RouteModule {
  action?: (args: ActionFunctionArgs) => Promise<Response> | Response;
  loader?: (args: LoaderFunctionArgs) => Promise<Response> | Response;
}

export function routeFileFor(uri: string): string {
  return `${uri.replace(/^\//, "").replaceAll("/", ".")}.tsx`;
}

export async function routeModule(uri: string): Promise<RouteModule> {
  return (await import(`../../app/routes/${routeFileFor(uri).replace(/\.tsx$/, "")}.tsx`)) as RouteModule;
}

async function settle(result: Promise<Response> | Response): Promise<Response> {
  try {
    return await result;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** Delivers a webhook as Shopify would: signed, to the URI shopify.app.toml names for it. */
export async function deliverWebhook(topic: string, payload: unknown, options: WebhookOptions & { uri?: string } = {}) {
  const uri = options.uri ?? webhookUri(topic);
  return sendToAction(uri, signedWebhookRequest(APP_URL, uri, topic, payload, options));
}

export async function sendToAction(uri: string, request: Request): Promise<Response> {
  const module = await routeModule(uri);
  if (!module.action) throw new Error(`${routeFileFor(uri)} has no action`);
  return settle(module.action({ request, params: {}, context: {} }));
}

/** A storefront request forwarded by the app proxy, signed unless `query` is given. */
export async function proxyGet(endpoint: string, options: ProxyOptions & { query?: URLSearchParams } = {}) {
  const path = proxyPath(endpoint);
  const query = options.query ?? signedProxyQuery(storefrontProxyPrefix(), options);
  const request = new Request(`${APP_URL}${path}?${query.toString()}`);
  const module = await routeModule(path);
  if (!module.loader) throw new Error(`${routeFileFor(path)} has no loader`);
  return settle(module.loader({ request, params: {}, context: {} }));
}

/** A storefront POST forwarded by the app proxy (signed unless `query` is given), with a JSON body. */
export async function proxyPost(endpoint: string, body: unknown, options: ProxyOptions & { query?: URLSearchParams; rawBody?: string } = {}) {
  const path = proxyPath(endpoint);
  const query = options.query ?? signedProxyQuery(storefrontProxyPrefix(), options);
  const request = new Request(`${APP_URL}${path}?${query.toString()}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: options.rawBody ?? JSON.stringify(body),
  });
  const module = await routeModule(path);
  if (!module.action) throw new Error(`${routeFileFor(path)} has no action`);
  return settle(module.action({ request, params: {}, context: {} }));
}
