// Shops and their programs. A shop is created, with the default program, the first time a
// verified request (webhook HMAC, proxy signature, admin session) names it.
import type { Db, Prisma } from "~/db.server";
import { currencyExponent } from "./money";
import { inTransaction } from "./transaction.server";
import { DEFAULT_PROGRAM, DEFAULT_REWARDS, fixedAmountRewardTitle, parseProgram, type Program } from "./program";

export interface ShopRecord {
  domain: string;
  currency: string | null;
  program: Program;
  /** Bumped by every save in the admin (program-versions.server.ts). */
  programVersion: number;
  uninstalledAt: Date | null;
}

/**
 * Shops whose currency is not known yet get rewards priced for a 2-decimal currency; they are
 * re-priced when the currency becomes known (repriceForCurrency).
 */
const FALLBACK_EXPONENT = 2;

export async function ensureShop(
  tx: Prisma.TransactionClient,
  domain: string,
  currency: string | null = null,
): Promise<ShopRecord> {
  let row = await tx.shop.findUnique({ where: { domain } });
  if (!row) {
    const exponent = currency ? currencyExponent(currency) : FALLBACK_EXPONENT;
    row = await tx.shop.create({
      data: {
        domain,
        currency,
        program: JSON.stringify(DEFAULT_PROGRAM),
        rewards: {
          create: DEFAULT_REWARDS.map((reward, position) => {
            const amountMinor = reward.amountMajorUnits * 10 ** exponent;
            return { title: fixedAmountRewardTitle(amountMinor, exponent), kind: reward.kind, costPoints: reward.costPoints, amountMinor, position };
          }),
        },
      },
    });
  } else if (currency && !row.currency) {
    // Claimed with a conditional write: of two transactions that both read "no currency" (READ
    // COMMITTED on PostgreSQL), only the one whose update matches re-prices. The currency is part
    // of what every worker caches and of the storefront's program: the version moves, so other
    // workers' copies are replaced at once, and the program metafield is written again.
    const claimed = await tx.shop.updateMany({
      where: { domain, currency: null },
      data: { currency, programVersion: { increment: 1 }, programPublishedHash: null },
    });
    if (claimed.count === 1) await repriceForCurrency(tx, domain, currencyExponent(currency));
    row = await tx.shop.findUniqueOrThrow({ where: { domain } });
  }
  return { domain: row.domain, currency: row.currency, program: parseProgram(row.program), programVersion: row.programVersion, uninstalledAt: row.uninstalledAt };
}

/**
 * The shop's currency has just become known: its rewards were priced for FALLBACK_EXPONENT
 * decimals, so "5.00 off" is 500 minor units — ¥500 in yen, where the default means ¥5. Amounts
 * keep their value in whole units of the currency; titles still reading as the default are
 * rewritten for the currency.
 */
async function repriceForCurrency(tx: Prisma.TransactionClient, domain: string, exponent: number): Promise<void> {
  if (exponent === FALLBACK_EXPONENT) return;
  const rewards = await tx.reward.findMany({ where: { shopDomain: domain } });
  const rescale = (minor: number | null) => (minor === null ? null : Math.round(minor * 10 ** (exponent - FALLBACK_EXPONENT)));
  for (const reward of rewards) {
    if (reward.amountMinor === null && reward.minimumSubtotalMinor === null) continue;
    const amountMinor = rescale(reward.amountMinor);
    const defaultTitle = reward.kind === "fixed_amount" && reward.amountMinor !== null && reward.title === fixedAmountRewardTitle(reward.amountMinor, FALLBACK_EXPONENT);
    await tx.reward.update({
      where: { id: reward.id },
      data: {
        amountMinor,
        minimumSubtotalMinor: rescale(reward.minimumSubtotalMinor),
        ...(defaultTitle && amountMinor !== null ? { title: fixedAmountRewardTitle(amountMinor, exponent) } : {}),
      },
    });
  }
}

/** app/uninstalled: the access tokens are dead; the program is kept for a reinstall. */
export function markUninstalled(db: Db, shop: string) {
  return inTransaction(db, async (tx) => {
    await tx.session.deleteMany({ where: { shop } });
    await tx.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: new Date() } });
  });
}

/** Shopify refused the shop's token: background calls to Shopify stop until the next install. */
export async function blockShopSync(db: Db, shop: string): Promise<void> {
  await db.shop.updateMany({ where: { domain: shop }, data: { syncBlockedAt: new Date() } });
}

/** What Shopify tells us about a shop: its GraphQL id (owner of shop metafields) and currency. */
export interface ShopFacts {
  shopifyGid: string | null;
  currency: string | null;
  /** IANA time zone; null when unknown (days are then UTC days). */
  timezone?: string | null;
}

/** A (re)install through OAuth: the shop is active again. */
export function markInstalled(db: Db, shop: string, facts: ShopFacts = { shopifyGid: null, currency: null }) {
  return inTransaction(db, async (tx) => {
    await applyShopFacts(tx, shop, facts);
    await tx.shop.update({ where: { domain: shop }, data: { uninstalledAt: null, syncBlockedAt: null, installedAt: new Date() } });
  });
}

/** Facts learned about a shop outside an install (e.g. before writing its metafields). */
export function recordShopFacts(db: Db, shop: string, facts: ShopFacts) {
  return inTransaction(db, (tx) => applyShopFacts(tx, shop, facts));
}

async function applyShopFacts(tx: Prisma.TransactionClient, shop: string, facts: ShopFacts): Promise<void> {
  await ensureShop(tx, shop, facts.currency);
  if (facts.shopifyGid) await tx.shop.update({ where: { domain: shop }, data: { shopifyGid: facts.shopifyGid } });
  if (facts.timezone) await tx.shop.update({ where: { domain: shop }, data: { timezone: facts.timezone } });
}

/** The shop's GraphQL id (gid://shopify/Shop/…) if we know the shop and its id, else null. */
export async function shopifyGidOf(db: Db, domain: string): Promise<string | null> {
  const row = await db.shop.findUnique({ where: { domain }, select: { shopifyGid: true } });
  return row?.shopifyGid ?? null;
}
