// A shop with real points for the widget's end-to-end tests and benchmark: the production app on
// a fresh SQLite database, customers and paid orders delivered as signed webhooks, two VIP tiers,
// and the local storefront in front of it.
import { createDb, type Db } from "~/db.server";
import { databaseTarget } from "~/database-url";
import { webhookUri } from "../app-config";
import { startApp, type RunningApp } from "../app-server";
import { storeOfflineSession } from "../offline-session";
import { createTestDatabase, type TestDatabase } from "../databases";
import { customerCreatePayload, orderPayload } from "../shopify-payloads";
import { signedWebhookRequest } from "../shopify-signing";
import { startStorefront, type RunningStorefront } from "./server";

export const WIDGET_API_KEY = "widget-e2e-key";
export const WIDGET_API_SECRET = "widget-e2e-secret";
export const WIDGET_SHOP = "widget-e2e.myshopify.com";

export interface ScenarioCustomer {
  id: number;
  firstName: string;
  lastName: string;
  /** Amount of the one paid order, in shop currency: 1 point per 1.00. */
  spent: string | null;
}

/** Silver from 100 lifetime points, Gold from 500. */
export const TIERS = [
  { name: "Silver", thresholdPoints: 100, multiplierPercent: 100 },
  { name: "Gold", thresholdPoints: 500, multiplierPercent: 100 },
];

export const ADA: ScenarioCustomer = { id: 8_100_000_001, firstName: "Ada", lastName: "Lovelace", spent: "150.00" }; // Silver, 350 to Gold
export const ALAN: ScenarioCustomer = { id: 8_100_000_002, firstName: "Alan", lastName: "Turing", spent: "120.00" };
export const KATHERINE: ScenarioCustomer = { id: 8_100_000_003, firstName: "Katherine", lastName: "Johnson", spent: "640.00" }; // Gold, the top
export const GRACE: ScenarioCustomer = { id: 8_100_000_004, firstName: "Grace", lastName: "Hopper", spent: null }; // a new member
export const SCENARIO_CUSTOMERS = [ADA, ALAN, KATHERINE, GRACE];

export interface WidgetScenario {
  app: RunningApp;
  db: Db;
  storefront: RunningStorefront;
  database: TestDatabase;
  /** Delivers a webhook signed for `shop` (default the scenario's shop); fails unless answered 200. */
  deliver(topic: string, payload: unknown, shop?: string): Promise<void>;
  /** Another storefront on the same app, for another shop. */
  storefrontFor(shop: string): Promise<RunningStorefront>;
  stop(): Promise<void>;
}

let nextOrderId = 9_100_000_001;
export const newOrderId = () => nextOrderId++;

export async function startWidgetScenario({ tiers = true } = {}): Promise<WidgetScenario> {
  const database = await createTestDatabase("sqlite");
  const db = createDb(databaseTarget(database.url));
  // Shopify's Admin API is stood in for, so that the widget's redemptions get their codes.
  const app = await startApp({ databaseUrl: database.url, apiKey: WIDGET_API_KEY, apiSecret: WIDGET_API_SECRET, adminApiStandIn: true });
  const storefronts: RunningStorefront[] = [];

  const deliver = async (topic: string, payload: unknown, shop = WIDGET_SHOP) => {
    const request = signedWebhookRequest(app.baseUrl, webhookUri(topic), topic, payload, { shop, secret: WIDGET_API_SECRET });
    const response = await fetch(request);
    if (response.status !== 200) throw new Error(`${topic} answered ${response.status}: ${await response.text()}`);
  };
  const storefrontFor = async (shop: string) => {
    const storefront = await startStorefront({
      appUrl: app.baseUrl,
      apiSecret: WIDGET_API_SECRET,
      shop,
      customers: SCENARIO_CUSTOMERS.map((customer) => ({ id: customer.id, name: `${customer.firstName} ${customer.lastName}` })),
      log: () => {},
    });
    storefronts.push(storefront);
    return storefront;
  };

  try {
    for (const customer of SCENARIO_CUSTOMERS) {
      await deliver("customers/create", customerCreatePayload({ id: customer.id, firstName: customer.firstName, lastName: customer.lastName }));
    }
    // The shop installed the app: its offline session lets redemptions reach the Admin API.
    await storeOfflineSession(db, WIDGET_SHOP);
    // The admin has no tier editor yet: tiers go straight into the app's database.
    if (tiers) await db.tier.createMany({ data: TIERS.map((tier) => ({ shopDomain: WIDGET_SHOP, ...tier })) });
    for (const customer of SCENARIO_CUSTOMERS) {
      if (!customer.spent) continue;
      await deliver("orders/paid", orderPayload({ id: newOrderId(), customer: { id: customer.id, firstName: customer.firstName }, lines: [{ price: customer.spent }] }));
    }
    const storefront = await storefrontFor(WIDGET_SHOP);
    return {
      app,
      db,
      storefront,
      database,
      deliver,
      storefrontFor,
      stop: async () => {
        await Promise.all(storefronts.map((running) => running.stop()));
        await app.stop();
        await db.$disconnect();
        await database.drop();
      },
    };
  } catch (error) {
    await app.stop();
    await db.$disconnect();
    await database.drop();
    throw error;
  }
}
