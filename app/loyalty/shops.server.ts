// Shops and their programs. A shop is created, with the default program, the first time a
// verified request (webhook HMAC, proxy signature, admin session) names it.
import type { Db, Prisma } from "~/db.server";
import { currencyExponent } from "./money";
import { inTransaction } from "./transaction.server";
import { DEFAULT_PROGRAM, DEFAULT_REWARDS, parseProgram, type Program } from "./program";

export interface ShopRecord {
  domain: string;
  currency: string | null;
  program: Program;
  uninstalledAt: Date | null;
}

/** Shops whose currency is not known yet get rewards priced for a 2-decimal currency. */
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
          create: DEFAULT_REWARDS.map((reward, position) => ({
            title: reward.title,
            kind: reward.kind,
            costPoints: reward.costPoints,
            amountMinor: reward.amountMajorUnits * 10 ** exponent,
            position,
          })),
        },
      },
    });
  } else if (currency && !row.currency) {
    row = await tx.shop.update({ where: { domain }, data: { currency } });
  }
  return { domain: row.domain, currency: row.currency, program: parseProgram(row.program), uninstalledAt: row.uninstalledAt };
}

/** app/uninstalled: the access tokens are dead; the program is kept for a reinstall. */
export function markUninstalled(db: Db, shop: string) {
  return inTransaction(db, async (tx) => {
    await tx.session.deleteMany({ where: { shop } });
    await tx.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: new Date() } });
  });
}

/** A (re)install through OAuth: the shop is active again. */
export function markInstalled(db: Db, shop: string) {
  return inTransaction(db, async (tx) => {
    await ensureShop(tx, shop);
    await tx.shop.update({ where: { domain: shop }, data: { uninstalledAt: null, installedAt: new Date() } });
  });
}
