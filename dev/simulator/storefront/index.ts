// The local storefront for Tally's theme app extension (see server.ts), and the pieces the
// widget tests render with directly.
export { startStorefront, type RunningStorefront, type StorefrontOptions } from "./server";
export { createExtensionLiquid, renderBlock } from "./liquid";
export { storefrontGlobals, type StorefrontCustomer, type StorefrontShop } from "./objects";
export type { DemoCustomer } from "./pages";
