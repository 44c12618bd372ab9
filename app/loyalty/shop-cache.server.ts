// What order deliveries and storefront reads need of their shop (program, tiers, rewards), kept in
// memory for a few seconds: every webhook and every signed read needs it, it rarely changes, and
// reading it through Prisma costs more than the whole ledger transaction. A program or tier change reaches earning within SHOP_CACHE_TTL_MS
// (default 10 s); nothing correctness-critical is cached (balances, orders, members never are).
import type { Db } from "~/db.server";
import { runtimeEnv } from "~/runtime-env.server";
import { ensureShop } from "./shops.server";
import type { Program } from "./program";
import type { RewardRow } from "./rewards";
import type { TierDefinition } from "./tiers";
import { inTransaction } from "./transaction.server";

export interface ShopForEvents {
  domain: string;
  currency: string | null;
  program: Program;
  tiers: TierDefinition[];
  /** Enabled rewards in display order (the storefront's public program is built from them). */
  rewards: RewardRow[];
}

const TTL_MS = runtimeEnv.shopCacheTtlMs;
const cache = new Map<string, { shop: ShopForEvents; expiresAt: number }>();

/** The shop, created with the default program if this is the first we hear of it. */
export async function shopForEvents(db: Db, domain: string, currency: string | null): Promise<ShopForEvents> {
  const cached = cache.get(domain);
  // A delivery that tells us the currency of a shop we knew without one goes to the database.
  if (cached && cached.expiresAt > Date.now() && (currency === null || cached.shop.currency !== null)) return cached.shop;

  const shop = await inTransaction(db, async (tx) => {
    const record = await ensureShop(tx, domain, currency);
    const tiers = await tx.tier.findMany({ where: { shopDomain: domain }, orderBy: { thresholdPoints: "asc" } });
    const rewards = await tx.reward.findMany({ where: { shopDomain: domain, enabled: true }, orderBy: [{ position: "asc" }, { id: "asc" }] });
    return {
      domain,
      currency: record.currency,
      program: record.program,
      tiers: tiers.map(({ id, name, thresholdPoints, multiplierPercent }) => ({ id, name, thresholdPoints, multiplierPercent })),
      rewards,
    };
  });
  if (TTL_MS > 0) cache.set(domain, { shop, expiresAt: Date.now() + TTL_MS });
  return shop;
}

/** Drops the shop from this process's cache (it was deleted, or its program changed here). */
export function forgetShop(domain: string): void {
  cache.delete(domain);
}
