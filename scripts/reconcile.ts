// `npm run reconcile -- --shop <domain> --since <ISO date | 48h | 7d> [--until <ISO date>]`:
// reads the shop's orders updated in the window through Admin GraphQL and repairs what the
// webhooks missed (app/shopify/reconcile.server.ts), as the daily job does. Needs what the server
// needs (DATABASE_URL, SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_APP_URL) and the shop's
// offline session in that database. Orders older than 60 days need the read_all_orders scope.
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { shop: { type: "string" }, since: { type: "string" }, until: { type: "string" }, json: { type: "boolean", default: false } } });

function when(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const relative = /^(\d+)([hd])$/.exec(text);
  const date = relative ? new Date(Date.now() - Number(relative[1]) * (relative[2] === "h" ? 3_600_000 : 86_400_000)) : new Date(text);
  if (Number.isNaN(date.getTime())) {
    console.error(`--${name} must be an ISO date or a duration such as 48h or 7d, not "${text}"`);
    process.exit(2);
  }
  return date;
}

if (!values.shop || !values.since) {
  console.error("usage: npm run reconcile -- --shop <shop>.myshopify.com --since <ISO date | 48h | 7d> [--until <ISO date>] [--json]");
  process.exit(2);
}
const since = when(values.since, "since")!;
const until = when(values.until, "until");

// The app's modules parse the environment when imported: a missing variable stops here, by name.
const [{ default: db }, { adminGraphqlFor }, { reconcileShop }] = await Promise.all([
  import("../app/db.server"),
  import("../app/shopify/admin-client.server"),
  import("../app/shopify/reconcile.server"),
]).catch((error: Error) => {
  console.error(error.message);
  process.exit(2);
});

try {
  const graphql = await adminGraphqlFor(values.shop);
  if (!graphql) {
    console.error(`${values.shop} has no offline session in this database: install the app on it first.`);
    process.exitCode = 2;
  } else {
    const report = await reconcileShop(db, values.shop, graphql, { since, until, trigger: "cli" });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`reconcile ${values.shop}: orders updated ${report.since} … ${report.until}`);
      console.log(`  ${report.ordersSeen} orders seen ${report.bulkOperationId ? `with bulk operation ${report.bulkOperationId}` : `in ${report.pages} pages`}, ${report.ordersFetched} read in full, ${report.calls} calls, waited ${report.waitedMs} ms for Shopify's bucket, ${(report.ms / 1000).toFixed(1)} s`);
      console.log(`  repaired ${report.ordersRepaired} orders (${report.pointsRepaired >= 0 ? "+" : ""}${report.pointsRepaired} points); skipped ${report.ordersSkipped}`);
      for (const repair of report.repairs) console.log(`    order ${repair.orderId} (customer ${repair.customerId ?? "none"}): ${repair.delta >= 0 ? "+" : ""}${repair.delta}`);
      for (const skipped of report.skipped) console.log(`    skipped order ${skipped.orderId}: ${skipped.reason}`);
    }
  }
} catch (error) {
  console.error(`reconcile failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
