// The program bench:webhooks compares with the default one: VIP tiers and referrals at work.
import { saveTier } from "../../app/loyalty/tier-settings.server";
import type { Db } from "./database";

export const PROGRAMS = ["plain", "growth"] as const;
export type Program = (typeof PROGRAMS)[number];

/** Three tiers a busy shop's members cross during the run (lifetime points, the default basis). */
const TIERS = [
  { name: "Silver", thresholdPoints: 150, multiplierPercent: 110 },
  { name: "Gold", thresholdPoints: 600, multiplierPercent: 125 },
  { name: "Platinum", thresholdPoints: 2_000, multiplierPercent: 150 },
];

/**
 * Adds the tiers to `shop` (created with the default program) through the admin's save path,
 * before the app starts: its workers cache a shop's tiers, so tiers saved behind a running
 * server's back would reach it only when the cache expires.
 */
export async function addTiers(db: Db, shop: string): Promise<void> {
  for (const tier of TIERS) {
    const saved = await saveTier(db, shop, null, tier, { actor: "bench" });
    if (!saved.ok) throw new Error(`bench tier ${tier.name} was refused: ${JSON.stringify(saved)}`);
  }
}

/** The members' referral codes (after the warm-up enrolled them), for the referred orders. */
export async function referralCodes(db: Db, shop: string): Promise<string[]> {
  const members = await db.member.findMany({ where: { shopDomain: shop }, select: { referralCode: true }, orderBy: { id: "asc" } });
  return members.map((member) => member.referralCode);
}
