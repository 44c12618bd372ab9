// What the storefront widget reads (DESIGN §5): the public program, and a member's balance and
// tier progress. Versioned JSON; numbers are points or minor units of the shop currency.
import type { Db } from "~/db.server";
import { ensureMember } from "./members.server";
import { currencyExponent, formatMinorUnits } from "./money";
import { ensureShop, type ShopRecord } from "./shops.server";
import { jsonId, type ShopifyId } from "./shopify-id";
import { tierProgress, type TierDefinition } from "./tiers";
import { inTransaction } from "./transaction.server";

export const STOREFRONT_API_VERSION = 1;

export interface PublicProgram {
  name: string;
  currency: string | null;
  earning: { points: number; perMajorUnits: number };
  waysToEarn: { kind: "order"; points: number; perMajorUnits: number }[];
  rewards: { id: number; title: string; kind: string; costPoints: number; amountMinor: number | null; amount: string | null }[];
  tiers: TierDefinition[];
  pendingDays: number;
  expiryDays: number | null;
}

export interface MemberView {
  customerId: number;
  firstName: string | null;
  balance: number;
  pendingBalance: number;
  lifetimeEarned: number;
  tier: TierDefinition | null;
  nextTier: TierDefinition | null;
  progress: { current: number; target: number; remaining: number; percent: number } | null;
  referralCode: string;
  referralUrl: string;
}

export async function publicProgram(db: Db, shopDomain: string): Promise<PublicProgram> {
  const shop = await inTransaction(db, (tx) => ensureShop(tx, shopDomain));
  return programView(db, shop);
}

async function programView(db: Db, shop: ShopRecord): Promise<PublicProgram> {
  const [rewards, tiers] = await Promise.all([
    db.reward.findMany({ where: { shopDomain: shop.domain, enabled: true }, orderBy: [{ position: "asc" }, { id: "asc" }] }),
    shopTiers(db, shop.domain),
  ]);
  const exponent = shop.currency ? currencyExponent(shop.currency) : null;
  return {
    name: shop.program.name,
    currency: shop.currency,
    earning: shop.program.earning,
    waysToEarn: [{ kind: "order", ...shop.program.earning }],
    rewards: rewards.map((reward) => ({
      id: reward.id,
      title: reward.title,
      kind: reward.kind,
      costPoints: reward.costPoints,
      amountMinor: reward.amountMinor,
      amount: reward.amountMinor === null || exponent === null ? null : formatMinorUnits(reward.amountMinor, exponent),
    })),
    tiers,
    pendingDays: shop.program.pendingDays,
    expiryDays: shop.program.expiryDays,
  };
}

async function shopTiers(db: Db, shopDomain: string): Promise<TierDefinition[]> {
  const rows = await db.tier.findMany({ where: { shopDomain }, orderBy: { thresholdPoints: "asc" } });
  return rows.map(({ id, name, thresholdPoints, multiplierPercent }) => ({ id, name, thresholdPoints, multiplierPercent }));
}

/** The signed-in customer's view; a customer seen for the first time is enrolled. */
export async function customerView(
  db: Db,
  shopDomain: string,
  customerId: ShopifyId | null,
): Promise<{ member: MemberView | null; program: PublicProgram }> {
  const { shop, member } = await inTransaction(db, async (tx) => {
    const shop = await ensureShop(tx, shopDomain);
    const member = customerId === null ? null : await ensureMember(tx, shopDomain, customerId);
    return { shop, member };
  });
  const program = await programView(db, shop);
  if (!member) return { member: null, program };
  const lifetimeEarned = Number(member.lifetimeEarned);
  return {
    member: {
      customerId: jsonId(member.customerId),
      firstName: member.firstName,
      balance: Number(member.balance),
      pendingBalance: Number(member.pendingBalance),
      lifetimeEarned,
      ...tierProgress(lifetimeEarned, program.tiers),
      referralCode: member.referralCode,
      referralUrl: `https://${shopDomain}/?ref=${encodeURIComponent(member.referralCode)}`,
    },
    program,
  };
}
