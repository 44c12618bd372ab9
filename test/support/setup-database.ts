// Each database test file gets its own fresh, migrated database of the project's provider
// (TEST_DATABASE), named by DATABASE_URL before any app module is imported.
// App modules parse the environment when first imported (app/runtime-env.server.ts), so none is
// imported statically here.
import { afterAll } from "vitest";
import { createTestDatabase, type Provider } from "../../dev/simulator/databases";

const provider = (process.env.TEST_DATABASE ?? "sqlite") as Provider;
const database = await createTestDatabase(provider);
process.env.DATABASE_URL = database.url;
// Database tests write storefront metafields themselves (syncCustomerSummaries), not on a timer.
process.env.SUMMARY_SYNC_DELAY_MS = "off";
globalThis.tallyDb = undefined;
globalThis.tallySql = undefined;

afterAll(async () => {
  await globalThis.tallyDb?.$disconnect();
  if (globalThis.tallySql) await (await import("~/sql.server")).closeSqlConnection(globalThis.tallySql);
  globalThis.tallyDb = undefined;
  globalThis.tallySql = undefined;
  await database.drop();
});
