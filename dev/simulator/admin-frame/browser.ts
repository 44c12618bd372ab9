// Chromium on the local admin frame: a merchant's browser on admin.shopify.com, for tests.
import type { Browser, Frame, Page } from "playwright-core";
import { DESKTOP_USER_AGENT } from "../browser";
import type { RunningAdminFrame } from "./server";

export interface AdminPage {
  /** The admin's page: navigation, title bar, toasts. */
  page: Page;
  /** The embedded app in its iframe. */
  app: Frame;
}

/**
 * Opens `appPath` (e.g. "/app/members") of the app in the local admin frame and waits until the
 * app's page has loaded and App Bridge (the stand-in) is up. Close it with `page.close()`.
 */
export async function openAdmin(
  browser: Browser,
  admin: RunningAdminFrame,
  appPath = "/app",
  options: { locale?: string; viewport?: { width: number; height: number } } = {},
): Promise<AdminPage> {
  // Shopify's auth refuses a headless user agent as a bot. A context of its own (closed with the
  // page), so that tools which open pages beside it (axe) can.
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, userAgent: DESKTOP_USER_AGENT });
  const page = await context.newPage();
  // Closing the context after the browser went (a test's afterAll) rejects: nothing left to close.
  page.once("close", () => void context.close().catch(() => {}));
  // Nothing outside this machine is reachable; fail fast instead of waiting on DNS.
  // A request still routed as a test closes the page rejects its abort: nothing to report then.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort().catch(() => {}));
  await page.goto(admin.adminUrl(appPath, { locale: options.locale }));
  const app = await appFrame(page);
  return { page, app };
}

/** The app's frame once its document has loaded with App Bridge (the stand-in) in it. */
export async function appFrame(page: Page): Promise<Frame> {
  const element = await page.waitForSelector("iframe#app-frame");
  const frame = await element.contentFrame();
  if (!frame) throw new Error("the admin frame has no app iframe");
  await frame.waitForLoadState("load");
  await frame.waitForFunction(() => typeof (window as { shopify?: unknown }).shopify === "object");
  return frame;
}
