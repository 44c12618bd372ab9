// The offline session OAuth would have stored when the shop installed the app: what the app's
// Admin API client (`unauthenticated.admin(shop)`) loads from the Session table. The demo and
// the redemption benchmark store one so that redemptions reach the Admin API stand-in
// (./admin-api-stand-in.ts); any access token works there.
import type { Db } from "../../app/db.server";
import { APP_SCOPES } from "./app-server";

export const STAND_IN_ACCESS_TOKEN = "shpat_local_stand_in";

export async function storeOfflineSession(db: Db, shop: string, scope = APP_SCOPES): Promise<void> {
  const id = `offline_${shop}`;
  const session = {
    shop,
    state: "",
    isOnline: false,
    scope,
    // Far away, as a non-expiring offline token is for the library.
    expires: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
    accessToken: STAND_IN_ACCESS_TOKEN,
  };
  await db.session.upsert({ where: { id }, create: { id, ...session }, update: session });
}
