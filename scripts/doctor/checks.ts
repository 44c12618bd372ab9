// What `npm run doctor` checks without a network: the deployment's variables against
// shopify.app.toml and the build. Pure: the inputs come in, the findings go out.
import { REQUIRED_SCOPES } from "../../app/shopify/scopes";

export interface Finding {
  level: "error" | "warning";
  message: string;
}

export interface AppToml {
  client_id?: string;
  application_url?: string;
  access_scopes?: { scopes?: string };
  webhooks?: { api_version?: string; subscriptions?: { topics?: string[]; compliance_topics?: string[]; uri: string }[] };
  app_proxy?: { url?: string; prefix?: string; subpath?: string };
}

export interface DoctorInput {
  env: Record<string, string | undefined>;
  toml: AppToml;
  /** The Admin API version the app is built for (app/shopify/api-version.ts). */
  apiVersion: string;
  /** Paths the build routes (e.g. "/webhooks/orders/paid"); null when there is no build. */
  routes: ReadonlySet<string> | null;
}

const scopeList = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((scope) => scope.trim())
    .filter(Boolean);

export function configurationFindings({ env, toml, apiVersion, routes }: DoctorInput): Finding[] {
  const findings: Finding[] = [];
  const error = (message: string) => findings.push({ level: "error", message });
  const warning = (message: string) => findings.push({ level: "warning", message });

  // The variables the server needs.
  for (const name of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "SCOPES"]) {
    if (!env[name]?.trim()) error(`${name} is not set.`);
  }
  if (env.SHOPIFY_API_KEY && toml.client_id && env.SHOPIFY_API_KEY !== toml.client_id) {
    error(`SHOPIFY_API_KEY is not the client_id in shopify.app.toml: the app would verify requests with another app's key (run \`shopify app config link\`, then set both to your app's client id).`);
  }
  let appUrl: URL | null = null;
  if (env.SHOPIFY_APP_URL) {
    try {
      appUrl = new URL(env.SHOPIFY_APP_URL);
      if (appUrl.protocol !== "https:") error(`SHOPIFY_APP_URL must be https (Shopify calls the app over TLS): ${env.SHOPIFY_APP_URL}`);
    } catch {
      error(`SHOPIFY_APP_URL is not a URL: ${env.SHOPIFY_APP_URL}`);
    }
  }
  if (!toml.application_url) error("shopify.app.toml has no application_url.");
  else if (appUrl && new URL(toml.application_url).origin !== appUrl.origin) {
    error(`SHOPIFY_APP_URL (${appUrl.origin}) is not application_url in shopify.app.toml (${toml.application_url}): Shopify would send webhooks and the admin elsewhere.`);
  }
  if (!toml.app_proxy?.url) error("shopify.app.toml has no [app_proxy] url: the storefront widget could not reach the app.");
  else if (toml.application_url && !toml.app_proxy.url.startsWith(toml.application_url.replace(/\/$/, ""))) {
    error(`The app proxy url (${toml.app_proxy.url}) is not under application_url (${toml.application_url}).`);
  }
  if (toml.webhooks?.api_version !== apiVersion) {
    error(`[webhooks] api_version in shopify.app.toml is ${toml.webhooks?.api_version ?? "missing"}, the app reads ${apiVersion} payloads.`);
  }

  // Scopes: exactly what the features need, in the toml and in SCOPES.
  const requested = scopeList(toml.access_scopes?.scopes);
  for (const [scope, reason] of Object.entries(REQUIRED_SCOPES)) {
    if (!requested.includes(scope)) error(`shopify.app.toml does not request ${scope}, needed for ${reason}.`);
  }
  for (const scope of requested) if (!(scope in REQUIRED_SCOPES)) warning(`shopify.app.toml requests ${scope}, which no feature of Tally uses: merchants see every scope at install.`);
  if (env.SCOPES) {
    const configured = scopeList(env.SCOPES);
    const missing = requested.filter((scope) => !configured.includes(scope));
    const extra = configured.filter((scope) => !requested.includes(scope));
    if (missing.length > 0 || extra.length > 0) {
      error(`SCOPES differs from shopify.app.toml (${[...missing.map((s) => `missing ${s}`), ...extra.map((s) => `extra ${s}`)].join(", ")}): the app would ask shops to re-authorize on every load.`);
    }
  }

  // Every webhook the toml subscribes reaches a route of the build.
  const subscriptions = toml.webhooks?.subscriptions ?? [];
  if (subscriptions.length === 0) error("shopify.app.toml subscribes no webhooks: no order would earn points.");
  if (routes === null) error("There is no production build (run `npm run build`).");
  else {
    for (const subscription of subscriptions) {
      const path = new URL(subscription.uri, "https://app.invalid").pathname;
      if (!routes.has(path)) {
        error(`shopify.app.toml sends ${[...(subscription.topics ?? []), ...(subscription.compliance_topics ?? [])].join(", ")} to ${subscription.uri}, which no route of the build serves.`);
      }
    }
  }
  return findings;
}
