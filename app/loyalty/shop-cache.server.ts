// What order deliveries and storefront reads need of their shop (program, tiers, rewards), kept in
// memory for a few seconds: every webhook and every signed read needs it, it rarely changes, and
// reading it through Prisma costs more than the whole ledger transaction. Every save in the
// admin bumps Shop.programVersion (program-versions.server.ts), and a cached shop is served only
// after one primary-key read through the driver finds that version unchanged: a save reaches
// every worker of every server at once; so does a currency learned by another worker
// (ensureShop). SHOP_CACHE_TTL_MS (default 10 s) bounds how long a copy is kept without a read
// asking for its version. Order deliveries and redeems make the check inside
// their own transaction instead (withCurrentShop), in a batch they send anyway. Nothing
// correctness-critical is cached (balances, orders, members never are).
import type { Db } from "~/db.server";
import { runtimeEnv } from "~/runtime-env.server";
import { sql } from "~/sql.server";
import { row, runSqlReads, type Query, type Row } from "~/sql-transaction.server";
import { ensureShop } from "./shops.server";
import type { Program } from "./program";
import type { RewardRow } from "./rewards";
import type { TierWithPerks } from "./tiers";
import { tierDefinitions } from "./tier-settings.server";
import { inTransaction } from "./transaction.server";

export interface ShopForEvents {
  domain: string;
  currency: string | null;
  program: Program;
  /** Shop.programVersion when read: what the version check compares. */
  programVersion: number;
  tiers: TierWithPerks[];
  /** Enabled rewards in display order (the storefront's public program is built from them). */
  rewards: RewardRow[];
}

const TTL_MS = runtimeEnv.shopCacheTtlMs;
const cache = new Map<string, { shop: ShopForEvents; expiresAt: number }>();
/**
 * Reads of a shop in flight, with the currency each was asked with. When the copy expires under
 * load, every delivery in flight misses it at once: those that need no version check share one
 * read instead of each reading the shop, its tiers and rewards through Prisma.
 */
const loading = new Map<string, { shop: Promise<ShopForEvents>; currency: string | null }>();

/**
 * The shop, created with the default program if this is the first we hear of it. `checkVersion`:
 * a cached copy is served only while the database holds the same programVersion.
 */
export async function shopForEvents(
  db: Db,
  domain: string,
  currency: string | null,
  {
    checkVersion = true,
    /** The stored programVersion when the caller read it already (programVersionRead, with its own reads). */
    storedVersion,
  }: { checkVersion?: boolean; storedVersion?: number | null } = {},
): Promise<ShopForEvents> {
  const cached = cache.get(domain);
  // A delivery that tells us the currency of a shop we knew without one goes to the database.
  if (cached && cached.expiresAt > Date.now() && (currency === null || cached.shop.currency !== null)) {
    if (!checkVersion || (storedVersion !== undefined ? storedVersion : await storedProgramVersion(domain)) === cached.shop.programVersion) return cached.shop;
  }

  const inFlight = loading.get(domain);
  // A read that knows no currency cannot serve a delivery that brings one.
  if (!checkVersion && inFlight && (currency === null || inFlight.currency !== null)) return inFlight.shop;
  const shop = loadShop(db, domain, currency);
  loading.set(domain, { shop, currency });
  try {
    return await shop;
  } finally {
    if (loading.get(domain)?.shop === shop) loading.delete(domain);
  }
}

async function loadShop(db: Db, domain: string, currency: string | null): Promise<ShopForEvents> {
  const shop = await inTransaction(db, async (tx) => {
    const record = await ensureShop(tx, domain, currency);
    const tiers = await tierDefinitions(tx, domain);
    const rewards = await tx.reward.findMany({ where: { shopDomain: domain, enabled: true }, orderBy: [{ position: "asc" }, { id: "asc" }] });
    return {
      domain,
      currency: record.currency,
      program: record.program,
      programVersion: record.programVersion,
      tiers,
      rewards,
    };
  });
  if (TTL_MS > 0) cache.set(domain, { shop, expiresAt: Date.now() + TTL_MS });
  return shop;
}

/** The cached shop was not the stored one (saved in another worker since): the transaction that found it did nothing. */
export class StaleShop {
  constructor(readonly storedVersion: number | null) {}
}

/**
 * Runs `attempt` with the cached shop, unchecked. `attempt` compares the shop's programVersion
 * with the stored one inside its own transaction (one more statement in a round trip it makes
 * anyway, rather than a round trip of its own first) and answers StaleShop, having done nothing,
 * when they differ: then it runs again with the shop read afresh.
 */
export async function withCurrentShop<Result>(
  db: Db,
  domain: string,
  currency: string | null,
  attempt: (shop: ShopForEvents) => Promise<Result | StaleShop>,
): Promise<Result> {
  let shop = await shopForEvents(db, domain, currency, { checkVersion: false });
  for (let tries = 1; ; tries++) {
    const result = await attempt(shop);
    if (!(result instanceof StaleShop)) return result;
    if (tries === 5) throw new Error(`the program of ${domain} kept changing while it was used`);
    // Every request in flight that found the copy stale shares one read of the shop (the next
    // try checks what it read again): the copy is dropped if it is still the stale one.
    if (cache.get(domain)?.shop.programVersion !== result.storedVersion) cache.delete(domain);
    shop = await shopForEvents(db, domain, currency, { checkVersion: false });
  }
}

/** One indexed read through the driver (microseconds on SQLite, one round trip on PostgreSQL); null: no shop. */
async function storedProgramVersion(domain: string): Promise<number | null> {
  const [found] = (await runSqlReads(sql(), [programVersionRead(domain)])) as [Row | undefined];
  return programVersionOf(found);
}

/** The read of a shop's stored programVersion, for a caller that batches it with its own reads. */
export function programVersionRead(domain: string): Query {
  return row(`SELECT "programVersion" FROM "Shop" WHERE "domain" = ?`, [domain]);
}

/** What programVersionRead returned: null when there is no such shop. */
export function programVersionOf(found: Row | undefined): number | null {
  return found ? Number(found.programVersion) : null;
}

/** Drops the shop from this process's cache (it was deleted, or its program changed here). */
export function forgetShop(domain: string): void {
  cache.delete(domain);
  loading.delete(domain);
}
