import { ApiVersion } from "@shopify/shopify-api";

// Keep in step with [webhooks] api_version in shopify.app.toml (a test checks).
export const apiVersion = ApiVersion.October26;
