// Tally builds with the Remix Vite plugin, as the official Shopify template does; this file
// holds the Remix options that vite.config.ts passes to it (the classic compiler that used to
// read remix.config.js is not used: see README, "Architecture").
/** @type {import("@remix-run/dev").VitePluginConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
  },
};
