// The local admin frame (dev/simulator/admin-frame): the app's real embedded pages, served by the
// production build, inside a stand-in for Shopify's admin and App Bridge. And the proof that a
// production start never serves the stand-in: the app itself names only Shopify's App Bridge.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_BRIDGE_CDN_URL, APP_BRIDGE_STAND_IN_PATH, adminHost, adminSessionToken } from "../../dev/simulator/admin-frame";
import { PROJECT_ROOT } from "../../dev/simulator/app-config";
import { DESKTOP_USER_AGENT, screenshotPath } from "../../dev/simulator/browser";
import { startLocalAdmin, type LocalAdmin } from "../support/local-admin";

const API_KEY = "admin-frame-key";
const API_SECRET = "admin-frame-secret";
const SHOP = "admin-frame.myshopify.com";

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("the local admin frame", () => {
  let admin: LocalAdmin;

  beforeAll(async () => {
    admin = await startLocalAdmin({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
  });

  afterAll(() => admin?.stop());

  it("is never served by a production start: the app loads Shopify's App Bridge and only Shopify's admin may frame it", async () => {
    const token = adminSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    const query = new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHost(SHOP), id_token: token });
    const response = await fetch(`${admin.app.baseUrl}/app?${query}`, { headers: { "user-agent": DESKTOP_USER_AGENT } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`src="${APP_BRIDGE_CDN_URL}"`);
    expect(html).not.toContain(APP_BRIDGE_STAND_IN_PATH);
    expect(response.headers.get("content-security-policy")).toMatch(/^frame-ancestors https:\/\/admin-frame\.myshopify\.com https:\/\/admin\.shopify\.com [^;]*;$/);
    expect(response.headers.get("content-security-policy")).not.toContain("127.0.0.1");
    expect((await fetch(`${admin.app.baseUrl}${APP_BRIDGE_STAND_IN_PATH}`)).status).toBe(404);
    // Nothing the production start runs (server.js and the build) names the stand-in.
    for (const file of ["server.js", ...filesUnder(path.join(PROJECT_ROOT, "build"))]) {
      if (/\.(js|mjs|html|json)$/.test(file)) expect(readFileSync(path.resolve(PROJECT_ROOT, file), "utf8"), file).not.toContain("__admin-stand-in");
    }
  });

  it("serves the app's pages with the stand-in instead of the CDN script, framed by the local admin only", async () => {
    const token = admin.adminFrame.sessionToken();
    const query = new URLSearchParams({ embedded: "1", shop: SHOP, host: adminHost(SHOP), id_token: token });
    const response = await fetch(`${admin.adminFrame.url}/app?${query}`, { headers: { "user-agent": DESKTOP_USER_AGENT } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`src="${APP_BRIDGE_STAND_IN_PATH}"`);
    expect(html).not.toContain(APP_BRIDGE_CDN_URL);
    expect(response.headers.get("content-security-policy")).toContain(admin.adminFrame.url);
  });

  it("signs in with short-lived session tokens shaped like Shopify's", async () => {
    const [, payload] = admin.adminFrame.sessionToken().split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: API_KEY, sub: expect.any(String), jti: expect.any(String), sid: expect.any(String) });
    expect((claims.exp as number) - Date.now() / 1000).toBeLessThanOrEqual(60);
    expect((claims.exp as number) - Date.now() / 1000).toBeGreaterThan(50);
  });

  it("shows the app with its navigation and title bar; fetches carry a session token; toasts show in the admin", async () => {
    const { page, app: frame } = await admin.open("/app");
    // The title bar and nav are the admin's, drawn from the app's ui-title-bar and ui-nav-menu.
    await page.locator("#title-bar-title").filter({ hasText: /\S/ }).waitFor();
    const nav = page.getByRole("navigation", { name: "Apps" });
    await nav.getByRole("link", { name: "Tally" }).waitFor();
    expect(await nav.getByRole("link").count()).toBeGreaterThanOrEqual(1);

    // idToken() gives a token the admin signed for this shop.
    const token = await frame.evaluate(() => (window as unknown as { shopify: { idToken(): Promise<string> } }).shopify.idToken());
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { dest: string; aud: string };
    expect(claims).toMatchObject({ dest: `https://${SHOP}`, aud: API_KEY });
    expect(await frame.evaluate(() => (window as unknown as { shopify: { config: { shop: string } } }).shopify.config.shop)).toBe(SHOP);

    // A same-origin fetch (what Remix's loaders and actions use) carries the token and is let in.
    const sent = page.waitForRequest((request) => request.url().includes("_data=routes%2Fapp"));
    const status = await frame.evaluate(async () => (await fetch("/app?_data=routes%2Fapp")).status);
    expect(status).toBe(200);
    expect((await sent).headers().authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);

    // A Remix action through a fetcher (a POST, as every form of the admin sends).
    await frame.getByRole("button", { name: "Verify balances" }).click();
    await frame.getByText("All balances agree").waitFor();

    await frame.evaluate(() => (window as unknown as { shopify: { toast: { show(message: string): string } } }).shopify.toast.show("Saved for the test"));
    await page.getByRole("status").getByText("Saved for the test").waitFor();
    await page.screenshot({ path: screenshotPath("admin-frame"), fullPage: true });
    await page.close();
  });

  it("reloads a page whose address has no session token through the bounce page, with a fresh one", async () => {
    const { page, app: frame } = await admin.open("/app");
    // The app's document without id_token: the library answers with its bounce page, where App
    // Bridge (here the stand-in) reloads it with a token.
    await frame.goto(`${admin.adminFrame.url}/app?embedded=1&shop=${SHOP}&host=${adminHost(SHOP)}`);
    await frame.waitForURL(/id_token=/);
    await frame.waitForFunction(() => typeof (window as { shopify?: unknown }).shopify === "object" && document.querySelector("ui-title-bar") !== null);
    expect(new URL(frame.url()).pathname).toBe("/app");
    await page.close();
  });
});
