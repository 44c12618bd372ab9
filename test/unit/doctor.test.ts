// `npm run doctor`'s findings: none on a sound configuration, each problem named in plain words.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { apiVersion } from "~/shopify/api-version";
import { REQUIRED_SCOPES } from "~/shopify/scopes";
import { configurationFindings, type AppToml, type DoctorInput } from "../../scripts/doctor/checks";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";

const toml = parse(readFileSync(path.join(PROJECT_ROOT, "shopify.app.toml"), "utf8")) as AppToml;
const routes = new Set([...(toml.webhooks?.subscriptions ?? []).map((s) => s.uri), "/proxy/customer"]);
const sound: DoctorInput = {
  env: { SHOPIFY_API_KEY: toml.client_id, SHOPIFY_API_SECRET: "secret", SHOPIFY_APP_URL: toml.application_url, SCOPES: toml.access_scopes?.scopes },
  toml,
  apiVersion,
  routes,
};
const messages = (input: Partial<DoctorInput>) => configurationFindings({ ...sound, ...input }).map((finding) => `${finding.level}: ${finding.message}`);

describe("npm run doctor", () => {
  it("finds nothing wrong with the repository's configuration and matching variables", () => {
    expect(messages({})).toEqual([]);
    // And shopify.app.toml requests exactly the scopes the features need.
    expect(toml.access_scopes?.scopes?.split(",").sort()).toEqual(Object.keys(REQUIRED_SCOPES).sort());
  });

  it.each([
    ["a missing variable", { env: { ...sound.env, SHOPIFY_API_SECRET: undefined } }, /error: SHOPIFY_API_SECRET is not set/],
    ["another app's key", { env: { ...sound.env, SHOPIFY_API_KEY: "abc" } }, /SHOPIFY_API_KEY is not the client_id/],
    ["an app URL that is not application_url", { env: { ...sound.env, SHOPIFY_APP_URL: "https://elsewhere.example.com" } }, /is not application_url/],
    ["an http app URL", { env: { ...sound.env, SHOPIFY_APP_URL: "http://tally.example.com" } }, /must be https/],
    ["a malformed app URL", { env: { ...sound.env, SHOPIFY_APP_URL: "tally" } }, /is not a URL/],
    ["a proxy outside the app", { toml: { ...toml, app_proxy: { ...toml.app_proxy, url: "https://other.example.com/proxy" } } }, /app proxy url .* is not under application_url/],
    ["another webhook API version", { toml: { ...toml, webhooks: { ...toml.webhooks, api_version: "2025-01" } } }, /api_version in shopify.app.toml is 2025-01/],
    ["a scope a feature needs, missing", { toml: { ...toml, access_scopes: { scopes: "read_orders" } }, env: { ...sound.env, SCOPES: "read_orders" } }, /does not request write_discounts, needed for discount codes/],
    ["a scope nothing uses", { toml: { ...toml, access_scopes: { scopes: `${toml.access_scopes?.scopes},read_products` } }, env: { ...sound.env, SCOPES: `${toml.access_scopes?.scopes},read_products` } }, /warning: .*requests read_products, which no feature/],
    ["SCOPES differing from the toml", { env: { ...sound.env, SCOPES: "read_orders" } }, /SCOPES differs from shopify.app.toml \(missing read_customers/],
    ["a webhook no route serves", { routes: new Set(["/webhooks/orders/paid"]) }, /sends refunds\/create to \/webhooks\/refunds\/create, which no route/],
    ["no build", { routes: null }, /no production build/],
  ] as const)("names %s", (_, input, expected) => {
    const found = messages(input as Partial<DoctorInput>);
    expect(found.some((message) => expected.test(message)), found.join("\n")).toBe(true);
  });
});
