// The demo's admin: the app's real embedded pages inside the local stand-in for Shopify's admin
// and App Bridge (dev/simulator/admin-frame), signed in to the demo shop with the demo secret.
import { adminHost, type RunningAdminFrame } from "../../dev/simulator/admin-frame";
import { DESKTOP_USER_AGENT } from "../../dev/simulator/browser";
import type { Check } from "./report";

/** Prints the admin's address and checks that the app's Home page answers through it. */
export async function showAdmin(admin: RunningAdminFrame): Promise<Check> {
  const url = admin.adminUrl("/app");
  console.log(`\nThe admin (Tally's embedded pages in a local stand-in for Shopify's admin, no Shopify account needed):`);
  console.log(`  ${url}   (add ?locale=de, es, fr, it or nl for another language)`);
  // A browser's user agent: Shopify's library refuses bots.
  const headers = { "user-agent": DESKTOP_USER_AGENT };
  const framePage = await fetch(url, { headers });
  const query = new URLSearchParams({ embedded: "1", shop: admin.shop, host: adminHost(admin.shop), id_token: admin.sessionToken() });
  const home = await fetch(`${admin.url}/app?${query}`, { headers });
  const ok = framePage.status === 200 && home.status === 200 && (await home.text()).includes("__admin-stand-in/app-bridge.js");
  return { ok, label: `the admin's Home page answers through the local admin frame: ${framePage.status} / ${home.status}` };
}
