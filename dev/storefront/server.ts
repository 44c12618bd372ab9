// `npm run storefront`: a local storefront that renders Tally's theme app extension against a
// running Tally app, as a shop's theme would (see dev/simulator/storefront/server.ts).
//
//   npm run demo                       # in one terminal: the app on :3000 with the demo shop
//   npm run storefront                 # in another: the storefront on :4000
//
// Environment (defaults match `npm run demo`):
//   TALLY_APP_URL=http://127.0.0.1:3000   the app; /apps/tally/* is forwarded to <url>/proxy/*
//   SHOPIFY_API_SECRET=tally-demo-secret  the app's secret, to sign proxy requests
//   SHOP=tally-demo.myshopify.com         the shop the app knows
//   STOREFRONT_PORT=4000                  where the storefront listens (127.0.0.1)
//   STOREFRONT_CUSTOMERS="7100000001:Ada Lovelace,7100000002:Grace Hopper"
//                                         customers the header's switcher offers
// Any customer id also works as ?customer=<id> on any page.
import { startStorefront, type DemoCustomer } from "../simulator/storefront";

// Printed for people; the lint rule against console is for app code.
const print = (line: string) => process.stdout.write(`${line}\n`);

const DEMO_CUSTOMERS = "7100000001:Ada Lovelace,7100000002:Grace Hopper,7100000003:Katherine Johnson,7100000004:Alan Turing,7100000005:Hedy Lamarr,7100000006:Mary Jackson";

function parseCustomers(value: string): DemoCustomer[] {
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id, ...name] = entry.split(":");
      if (!/^[1-9]\d{0,15}$/.test(id)) throw new Error(`STOREFRONT_CUSTOMERS: "${entry}" is not <customer id>:<name>`);
      return { id: Number(id), name: name.join(":") || `Customer ${id}` };
    });
}

const appUrl = process.env.TALLY_APP_URL ?? "http://127.0.0.1:3000";
const port = Number(process.env.STOREFRONT_PORT ?? 4000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`STOREFRONT_PORT is not a port: "${process.env.STOREFRONT_PORT}"`);
const customers = parseCustomers(process.env.STOREFRONT_CUSTOMERS ?? DEMO_CUSTOMERS);

const storefront = await startStorefront({
  appUrl,
  apiSecret: process.env.SHOPIFY_API_SECRET ?? "tally-demo-secret",
  shop: process.env.SHOP ?? "tally-demo.myshopify.com",
  port,
  customers,
});

print(`Storefront for ${process.env.SHOP ?? "tally-demo.myshopify.com"} at ${storefront.url}, proxying /apps/tally/* to ${appUrl}/proxy/*`);
print(`  logged out:        ${storefront.url}/?customer=`);
for (const customer of customers) print(`  ${customer.name.padEnd(18)} ${storefront.url}/?customer=${customer.id}`);
print(`  rewards page:      ${storefront.url}/pages/rewards    other locales: /de /fr /es /it /nl`);
print("Ctrl-C stops it.");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void storefront.stop().then(() => process.exit(0)));
}
