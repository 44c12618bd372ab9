import type { AdminApiContext } from "@shopify/shopify-app-remix/server";

/** The Admin GraphQL client of shopify-app-remix's admin context. */
export type AdminGraphql = AdminApiContext["graphql"];
