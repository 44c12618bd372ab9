// The local admin frame: Shopify's admin and App Bridge stood in for around the app's real
// embedded pages (./server.ts), and Chromium on it for tests (./browser.ts).
export { APP_BRIDGE_CDN_URL, APP_BRIDGE_STAND_IN_PATH, startAdminFrame, type AdminFrameOptions, type RunningAdminFrame } from "./server";
export { appFrame, openAdmin, type AdminPage } from "./browser";
export { adminHost, adminSessionToken, ADMIN_TOKEN_LIFETIME_SECONDS, type AdminSessionTokenOptions } from "./session-token";
