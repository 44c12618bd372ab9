// The local admin as the admin's Chromium tests use it: a fresh SQLite database with the shop's
// offline session (as OAuth would have stored it), the production build serving it, the local
// admin frame (dev/simulator/admin-frame) in front of it, and Chromium.
import type { Browser } from "playwright-core";
import { expect } from "vitest";
import { createDb, type Db } from "~/db.server";
import { databaseTarget } from "~/database-url";
import { openAdmin, startAdminFrame, type AdminPage, type RunningAdminFrame } from "../../dev/simulator/admin-frame";
import { webhookUri } from "../../dev/simulator/app-config";
import { startApp, type RunningApp } from "../../dev/simulator/app-server";
import { launchChromium } from "../../dev/simulator/browser";
import { createTestDatabase } from "../../dev/simulator/databases";
import { storeOfflineSession } from "../../dev/simulator/offline-session";
import { signedWebhookRequest } from "../../dev/simulator/shopify-signing";

export interface LocalAdminOptions {
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** Rows the app should find from its start (a shop's program, rewards, …). */
  seed?: (db: Db) => Promise<void>;
}

export interface LocalAdmin {
  /** The test's own connection to the app's database. */
  db: Db;
  app: RunningApp;
  adminFrame: RunningAdminFrame;
  browser: Browser;
  /** Opens a page of the app (e.g. "/app/members") in the admin frame, in a browser context of its own. */
  open(appPath?: string, options?: Parameters<typeof openAdmin>[3]): Promise<AdminPage>;
  /** Delivers a webhook to the app as Shopify signs it for the shop, and expects it taken (200). */
  deliver(topic: string, payload: unknown): Promise<void>;
  /** Closes the browser, stops the admin frame and the app, and drops the database. */
  stop(): Promise<void>;
}

export async function startLocalAdmin({ shop, apiKey, apiSecret, seed }: LocalAdminOptions): Promise<LocalAdmin> {
  // Undone last started, first stopped; also when a later step of the start fails.
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const database = await createTestDatabase("sqlite");
    stops.push(() => database.drop());
    const db = createDb(databaseTarget(database.url));
    stops.push(() => db.$disconnect());
    await storeOfflineSession(db, shop);
    await seed?.(db);
    const app = await startApp({ databaseUrl: database.url, apiKey, apiSecret });
    stops.push(() => app.stop());
    const adminFrame = await startAdminFrame({ appUrl: app.baseUrl, shop, apiKey, apiSecret });
    stops.push(() => adminFrame.stop());
    const browser = await launchChromium();
    stops.push(() => browser.close());
    return {
      db,
      app,
      adminFrame,
      browser,
      open: (appPath, options) => openAdmin(browser, adminFrame, appPath, options),
      deliver: async (topic, payload) => {
        const response = await fetch(signedWebhookRequest(app.baseUrl, webhookUri(topic), topic, payload, { shop, secret: apiSecret }));
        expect(response.status).toBe(200);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A reward as a test stores it: an amount off, on unless said otherwise. */
export interface RewardSeed {
  title: string;
  kind: string;
  costPoints: number;
  amountMinor: number;
  enabled?: boolean;
}

/** A shop in euros whose program earns 1 point per 1.00, with nothing pending and nothing expiring, and these rewards. */
export async function createEuroShop(db: Db, shop: string, rewards: readonly RewardSeed[] = []): Promise<void> {
  await db.shop.create({ data: { domain: shop, currency: "EUR", program: JSON.stringify({ version: 1, name: "Rewards", earning: { points: 1, perMajorUnits: 1 }, pendingDays: 0, expiryDays: null }) } });
  for (const reward of rewards) await db.reward.create({ data: { shopDomain: shop, ...reward } });
}
