// shopify.app.toml is the single source of truth for routes; these checks keep it honest.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appConfig, PROJECT_ROOT, proxyPath, subscribedTopics, webhookUri } from "../../dev/simulator/app-config";
import { routeFileFor } from "../support/routes";

describe("shopify.app.toml", () => {
  it("subscribes every topic Tally handles, including the mandatory compliance topics", () => {
    expect(subscribedTopics().sort()).toEqual(
      [
        "app/scopes_update",
        "app/uninstalled",
        "customers/create",
        "customers/update",
        "customers/data_request",
        "customers/redact",
        "orders/cancelled",
        "orders/paid",
        "orders/updated",
        "refunds/create",
        "shop/redact",
      ].sort(),
    );
  });

  it("points every subscription at a relative URI served by a route file", () => {
    for (const subscription of appConfig.webhooks.subscriptions) {
      expect(subscription.uri).toMatch(/^\/webhooks\//);
      expect(existsSync(path.join(PROJECT_ROOT, "app/routes", routeFileFor(subscription.uri))), subscription.uri).toBe(true);
    }
  });

  it("uses one route per topic", () => {
    const uris = appConfig.webhooks.subscriptions.map((s) => s.uri);
    expect(new Set(uris).size).toBe(uris.length);
    expect(webhookUri("orders/paid")).toBe("/webhooks/orders/paid");
  });

  it("asks for the scopes the program needs", () => {
    const scopes = appConfig.access_scopes.scopes.split(",").map((s) => s.trim());
    expect(scopes).toEqual(expect.arrayContaining(["read_orders", "read_customers", "write_customers", "write_discounts", "write_app_proxy"]));
  });

  it("routes the storefront's /apps/tally/* to the app's proxy routes", () => {
    expect(appConfig.app_proxy).toEqual({ url: `${appConfig.application_url}/proxy`, prefix: "apps", subpath: "tally" });
    for (const endpoint of ["customer", "program"]) {
      expect(existsSync(path.join(PROJECT_ROOT, "app/routes", routeFileFor(proxyPath(endpoint))))).toBe(true);
    }
  });

  it("names the same webhook API version as the app", async () => {
    const { apiVersion } = await import("~/shopify/api-version");
    expect(appConfig.webhooks.api_version).toBe(apiVersion);
  });
});
