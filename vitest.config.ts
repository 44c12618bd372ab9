import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Three projects: the pure domain once, and every database test twice, on the embedded SQLite
// database and on PostgreSQL (test/support/setup-database.ts gives each file a fresh database).
const databaseTest = (provider: "sqlite" | "postgres") => ({
  extends: true as const,
  test: {
    name: provider,
    include: ["test/db/**/*.test.ts"],
    setupFiles: ["test/support/setup-env.ts", "test/support/setup-database.ts"],
    env: { TEST_DATABASE: provider },
  },
});

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    testTimeout: 30_000,
    // One test file per CPU (Vitest left one CPU idle here): the files wait on their databases,
    // servers and Chromium as much as they compute. On 2 CPUs the whole run took 354 s against 509.
    maxWorkers: availableParallelism(),
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["app/**/*.test.ts", "test/unit/**/*.test.ts"], setupFiles: ["test/support/setup-env.ts"] },
      },
      databaseTest("sqlite"),
      databaseTest("postgres"),
      // Drives the production build over HTTP: `npm test` builds first.
      { extends: true, test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], setupFiles: ["test/support/setup-env.ts"] } },
      // The storefront widget: Liquid renders, the bundle, and Chromium on the local storefront
      // against the production build (so after `npm run build`, like e2e).
      { extends: true, test: { name: "widget", include: ["test/widget/**/*.test.ts"], setupFiles: ["test/support/setup-env.ts"] } },
      // The customer-account, thank-you and checkout extensions (Preact), rendered by Shopify's
      // tester in jsdom; the `shopify app build` of them all is in test/e2e/extensions-build.test.ts.
      {
        extends: true,
        esbuild: { jsx: "automatic", jsxImportSource: "preact" },
        test: { name: "extensions", include: ["test/extensions/**/*.test.ts"], environment: "jsdom", server: { deps: { inline: ["@shopify/ui-extensions-tester"] } } },
      },
    ],
  },
});
