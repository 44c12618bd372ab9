// `node --import ./dev/simulator/admin-api-stand-in.preload.mjs server.js`: loads the Shopify
// Admin API stand-in (./admin-api-stand-in.ts) into the server process, before the app. Only
// startApp({ adminApiStandIn }) (./app-server.ts) does this, with TALLY_ADMIN_STAND_IN=1; `npm
// start` never does. Plain JavaScript so that the check below runs before anything of the dev
// tooling is loaded; the TypeScript module is then imported through tsx's scoped loader, which
// leaves every other import of the process (the production build) to Node alone.
if (process.env.TALLY_ADMIN_STAND_IN !== "1") {
  throw new Error(
    "The Shopify Admin API stand-in (dev/simulator/admin-api-stand-in.preload.mjs) refuses to load: TALLY_ADMIN_STAND_IN=1 is not set. " +
      "It is for the local demo and benchmarks only, loaded by startApp({ adminApiStandIn }); `npm start` never loads it.",
  );
}
const { tsImport } = await import("tsx/esm/api");
const { installAdminApiStandIn } = await tsImport("./admin-api-stand-in.ts", import.meta.url);
await installAdminApiStandIn();
