// Shopify's app proxy: /apps/tally/<path> on the storefront goes to <app>/proxy/<path> with the
// shop, the signed-in customer, path_prefix and a timestamp added and signed with the app's
// secret. Parameters the browser sent pass through, but can never override the signed ones.
import type { IncomingMessage, ServerResponse } from "node:http";
import { proxyPath, storefrontProxyPrefix } from "../app-config";
import { signedProxyQuery } from "../shopify-signing";
import type { AppConnection } from "./app-data";

const SIGNED = new Set(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]);
const RESPONSE_HEADERS = ["content-type", "cache-control"];

export async function forwardToApp(
  request: IncomingMessage,
  response: ServerResponse,
  options: AppConnection & { endpoint: string; search: URLSearchParams; customerId: number | null; body: Buffer },
): Promise<void> {
  const extra: Record<string, string> = {};
  for (const [key, value] of options.search) if (!SIGNED.has(key)) extra[key] = value;
  const query = signedProxyQuery(storefrontProxyPrefix(), {
    shop: options.shop,
    customerId: options.customerId,
    secret: options.apiSecret,
    extra,
  });
  const target = `${options.appUrl}${proxyPath(options.endpoint)}?${query}`;
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers: { accept: request.headers.accept ?? "*/*", ...(request.headers["content-type"] ? { "content-type": request.headers["content-type"] } : {}) },
      body: request.method === "GET" || request.method === "HEAD" ? undefined : new Uint8Array(options.body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    // Shopify answers a proxy whose app is down with an error page; the widget must cope.
    response.writeHead(502, { "content-type": "text/plain; charset=utf-8" }).end("The app proxy could not reach the app.");
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) headers[name] = value;
  }
  response.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
}
