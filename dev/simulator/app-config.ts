// shopify.app.toml is the single source of truth for routes: tests, the demo and the benchmark
// read webhook URIs and the app proxy from it instead of repeating paths.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";

interface Subscription {
  topics?: string[];
  compliance_topics?: string[];
  uri: string;
}

interface AppConfig {
  client_id: string;
  application_url: string;
  access_scopes: { scopes: string };
  webhooks: { api_version: string; subscriptions: Subscription[] };
  app_proxy: { url: string; prefix: string; subpath: string };
}

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");

export const appConfig = parse(readFileSync(path.join(PROJECT_ROOT, "shopify.app.toml"), "utf8")) as unknown as AppConfig;

/** The relative URI shopify.app.toml subscribes `topic` (e.g. "orders/paid") to. */
export function webhookUri(topic: string): string {
  const subscription = appConfig.webhooks.subscriptions.find(
    (s) => s.topics?.includes(topic) || s.compliance_topics?.includes(topic),
  );
  if (!subscription) throw new Error(`shopify.app.toml subscribes no route to ${topic}`);
  return subscription.uri;
}

export function subscribedTopics(): string[] {
  return appConfig.webhooks.subscriptions.flatMap((s) => [...(s.topics ?? []), ...(s.compliance_topics ?? [])]);
}

/** The app-side path of a storefront proxy endpoint: "customer" → "/proxy/customer". */
export function proxyPath(endpoint: string): string {
  return `${new URL(appConfig.app_proxy.url).pathname.replace(/\/$/, "")}/${endpoint}`;
}

/** The storefront prefix the proxy forwards as path_prefix: "/apps/tally". */
export function storefrontProxyPrefix(): string {
  return `/${appConfig.app_proxy.prefix}/${appConfig.app_proxy.subpath}`;
}
