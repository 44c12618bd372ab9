import type { unauthenticated } from "~/shopify.server";

/** The Admin GraphQL client of shopify-app-remix's admin context. */
export type AdminGraphql = Awaited<ReturnType<typeof unauthenticated.admin>>["admin"]["graphql"];
