// What the storefront widget reads (DESIGN §5): the public program, and a member's balance and
// tier progress. Versioned JSON; numbers are points or minor units of the shop currency.
import type { Db } from "~/db.server";
import { runtimeEnv } from "~/runtime-env.server";
import type { SqlConnection } from "~/sql.server";
import { runSqlReads, runSqlTransactionWithRetries, type Row } from "~/sql-transaction.server";
import type { MemberFacts } from "./members.server";
import { memberFactsFromRow, memberUpsert } from "./ledger.server";
import { readShopVersionAndMember } from "./member-reads.server";
import { forgetShop, programVersionOf, shopForEvents, type ShopForEvents } from "./shop-cache.server";
import { extrasWithIssued, memberExtrasOf, memberExtrasReads, type RedemptionRow, type RedemptionView } from "./redemptions.server";
import type { ReferralStats } from "./referrals.server";
import { rewardFromRow, type RewardKind } from "./rewards";
import { currencyExponent, formatMinorUnits } from "./money";
import type { Appearance, Program } from "./program";
import { ensureShop } from "./shops.server";
import type { ActionClaimView, PublicEarningAction } from "./earning-actions";
import { cachedPublicEarningActions, actionClaimsOf, memberActionClaimsRead, publicEarningActions } from "./earning-actions.server";
import { jsonId, type ShopifyId } from "./shopify-id";
import { heldTierProgress, type HeldTierProgress, type TierScale, type TierWithPerks } from "./tiers";
import { publicTiers, type PublicTier } from "./tier-perks";
import { tierDefinitions } from "./tier-settings.server";
import { inTransaction } from "./transaction.server";

export const STOREFRONT_API_VERSION = 1;

export type WayToEarn =
  | { kind: "order"; points: number; perMajorUnits: number }
  | { kind: "signup" | "birthday"; points: number }
  /** The referrer's points per referred new customer, and the friend's offer (whole units of shop currency off a first order). */
  | { kind: "referral"; points: number; friendDiscountMajorUnits: number };

export interface PublicProgram {
  name: string;
  currency: string | null;
  earning: { points: number; perMajorUnits: number };
  /** Every active way to earn: the order rule first, then signup, birthday and referral points when on. */
  waysToEarn: WayToEarn[];
  rewards: PublicReward[];
  /** The tiers, each with its perks (tier-perks.ts). */
  tiers: PublicTier[];
  pendingDays: number;
  expiryDays: number | null;
  /** The widget's texts and colours set in the admin; null fields leave the theme's. */
  appearance: Appearance;
  /** false while the merchant has turned the program off: the widget hides itself. */
  enabled: boolean;
  /**
   * Custom one-off actions (README "Custom actions"), enabled ones only. Always sent; optional in
   * the type so that a payload written before actions existed (a cached metafield) still types.
   */
  actions?: PublicEarningAction[];
}

/** A reward as shoppers see it (README "Storefront API"). */
export interface PublicReward {
  id: number;
  title: string;
  kind: RewardKind;
  /** Points it costs; for `variable`, points per `amountMinor` off. */
  costPoints: number;
  amountMinor: number | null;
  /** amountMinor as a decimal in the shop currency ("5.00"); null when there is none or the currency is unknown. */
  amount: string | null;
  percentage: number | null;
  minimumSubtotal: string | null;
  /** `variable`: the points a member may spend, from minPoints to maxPoints in steps. */
  variable: { minPoints: number; maxPoints: number; stepPoints: number } | null;
  /** Only members of this tier or above may redeem it. */
  tierId: number | null;
}

export interface MemberView {
  customerId: number;
  firstName: string | null;
  balance: number;
  pendingBalance: number;
  lifetimeEarned: number;
  /** With their perks (tier-perks.ts). */
  tier: PublicTier | null;
  nextTier: PublicTier | null;
  progress: HeldTierProgress["progress"];
  referralCode: string;
  referralUrl: string;
  /** Issued, unused codes and store credits, newest first. */
  redemptions: RedemptionView[];
  referrals: ReferralStats;
  /** "MM-DD" once given (POST /apps/tally/birthday), else null. */
  birthday: string | null;
  /** The version of what the storefront summary shows; the summary metafield carries the one it was written at. */
  summaryVersion: number;
  /** The member's claims of custom actions, oldest first (always sent; optional as `actions` above). */
  actionClaims?: ActionClaimView[];
}

/** The public program as the database holds it now (what the shop metafield is written from). */
export async function publicProgram(db: Db, shopDomain: string): Promise<PublicProgram> {
  const shop = await inTransaction(db, (tx) => ensureShop(tx, shopDomain));
  const [rewards, tiers, actions] = await Promise.all([
    db.reward.findMany({ where: { shopDomain: shop.domain, enabled: true }, orderBy: [{ position: "asc" }, { id: "asc" }] }),
    shopTiers(db, shop.domain),
    publicEarningActions(db, shop.domain),
  ]);
  return { ...programView({ domain: shop.domain, currency: shop.currency, program: shop.program, programVersion: shop.programVersion, tiers, rewards }), actions };
}

/** The public program from the per-worker shop cache (SHOP_CACHE_TTL_MS): what storefront reads serve. */
export async function cachedPublicProgram(db: Db, shopDomain: string): Promise<PublicProgram> {
  return cachedProgramView(db, await shopForEvents(db, shopDomain, null));
}

// Built once per cached shop (the cache hands out the same object until it refreshes), not on
// every storefront read: each reward is validated on the way. Shared: not to be changed.
const programViews = new WeakMap<ShopForEvents, Omit<PublicProgram, "actions">>();
const publicPrograms = new WeakMap<ShopForEvents, Promise<PublicProgram>>();

async function cachedProgramView(db: Db, shop: ShopForEvents): Promise<PublicProgram> {
  let program = publicPrograms.get(shop);
  if (!program) {
    let view = programViews.get(shop);
    if (!view) programViews.set(shop, (view = programView(shop)));
    const withoutActions = view;
    program = cachedPublicEarningActions(db, shop).then((actions) => ({ ...withoutActions, actions }));
    publicPrograms.set(shop, program);
    // A failed read is not kept: the next storefront read tries again.
    program.catch(() => publicPrograms.delete(shop));
  }
  return program;
}

const programJsons = new WeakMap<PublicProgram, string>();

/** JSON.stringify(program), made once per cached program: it is most of a storefront read's answer. */
export function publicProgramJson(program: PublicProgram): string {
  let json = programJsons.get(program);
  if (json === undefined) programJsons.set(program, (json = JSON.stringify(program)));
  return json;
}

function waysToEarn(program: Program): WayToEarn[] {
  const ways: WayToEarn[] = [{ kind: "order", ...program.earning }];
  if (program.signupPoints > 0) ways.push({ kind: "signup", points: program.signupPoints });
  if (program.birthdayPoints > 0) ways.push({ kind: "birthday", points: program.birthdayPoints });
  const { referrals } = program;
  if (referrals.enabled && referrals.referrerPoints > 0) {
    ways.push({ kind: "referral", points: referrals.referrerPoints, friendDiscountMajorUnits: referrals.friendDiscountMajorUnits });
  }
  return ways;
}

function programView(shop: ShopForEvents): Omit<PublicProgram, "actions"> {
  const exponent = shop.currency ? currencyExponent(shop.currency) : null;
  return {
    name: shop.program.name,
    currency: shop.currency,
    earning: shop.program.earning,
    waysToEarn: waysToEarn(shop.program),
    rewards: shop.rewards.flatMap((row) => {
      const reward = rewardFromRow(row);
      if (!reward) return [];
      const money = (minor: number | null) => (minor === null || exponent === null ? null : formatMinorUnits(minor, exponent));
      const amountMinor = "amountMinor" in reward ? reward.amountMinor : null;
      return [
        {
          id: reward.id,
          title: reward.title,
          kind: reward.kind,
          costPoints: reward.costPoints,
          amountMinor,
          amount: money(amountMinor),
          percentage: reward.kind === "percentage" ? reward.percentage : null,
          minimumSubtotal: money(reward.minimumSubtotalMinor),
          variable: reward.kind === "variable" ? { minPoints: reward.minPoints, maxPoints: reward.maxPoints, stepPoints: reward.stepPoints } : null,
          tierId: reward.tierId,
        },
      ];
    }),
    tiers: publicTiers(shop.tiers, shop.rewards),
    pendingDays: shop.program.pendingDays,
    expiryDays: shop.program.expiryDays,
    appearance: shop.program.appearance,
    enabled: shop.program.enabled,
  };
}

function shopTiers(db: Db, shopDomain: string): Promise<TierWithPerks[]> {
  return tierDefinitions(db, shopDomain);
}

/**
 * The signed-in customer's view; a customer seen for the first time is enrolled. Every signed-in
 * page view may ask for it, so it is a read: the shop from the per-worker cache (its version
 * checked in the same round trip as the member is read, outside any transaction; enrolment, once,
 * one idempotent insert), their codes, referral figures and claims from the worker's copy while
 * their summaryVersion stands, else one more round trip.
 */
export async function customerView(
  db: Db,
  connection: SqlConnection,
  shopDomain: string,
  customerId: ShopifyId | null,
): Promise<{ member: MemberView | null; program: PublicProgram }> {
  if (customerId === null) return { member: null, program: await cachedProgramView(db, await shopForEvents(db, shopDomain, null)) };
  // The shop cache's version check and the member in one round trip (shared with other reads of the shop on PostgreSQL).
  const [version, found] = await readShopVersionAndMember(connection, shopDomain, customerId);
  const shop = await shopForEvents(db, shopDomain, null, { storedVersion: programVersionOf(version) });
  const program = await cachedProgramView(db, shop);
  const member = await memberForRead(db, connection, shopDomain, customerId, found);
  return { member: await memberView(connection, shop, member), program };
}

/** The member `found` (read with the shop's version), else enrolled now. */
async function memberForRead(db: Db, connection: SqlConnection, shopDomain: string, customerId: ShopifyId, found: Row | undefined): Promise<MemberFacts> {
  const enrolled =
    found ??
    (await runSqlTransactionWithRetries(
      connection,
      async () => {
        // The shop may have been deleted since it was cached (shop/redact): made again first.
        await shopForEvents(db, shopDomain, null);
        return (function* () {
          return ((yield [memberUpsert(shopDomain, customerId, {}, new Date())]) as [Row])[0];
        })();
      },
      (reason) => reason === "missing_reference" && forgetShop(shopDomain),
    ));
  return memberFactsFromRow(enrolled);
}

type MemberExtras = ReturnType<typeof memberExtrasOf> & { actionClaims: ActionClaimView[] };

/**
 * A member's codes, referral figures and action claims as last read in this worker, with the
 * summaryVersion they were read at. Every change to them bumps the member's summaryVersion (the
 * storefront's summary relies on that too), so while the version read with the member is the
 * same, so are they: a signed-in shopper's repeated reads cost one statement instead of four
 * (three more, sent together, when the version moved).
 * Read after the member, they can only be as new as that version or newer, never older. Kept
 * as long as the shop cache keeps a shop (SHOP_CACHE_TTL_MS; 0 turns both off), the member ids
 * being AUTOINCREMENT/serial, never reused.
 */
const extrasByMember = new Map<number, { version: number; expiresAt: number; extras: MemberExtras }>();
const EXTRAS_KEPT = 10_000;
const EXTRAS_TTL_MS = runtimeEnv.shopCacheTtlMs;

/**
 * After a redeem issued `redemption`: when the kept extras are those of the version just before
 * the redeem took the points (`takenVersion` − 1) and nothing but the redeem moved the version
 * since (`issuedVersion` = `takenVersion` + 1: the points taken, then the reward issued), they
 * become the extras at `issuedVersion`, with the new row first, as a read then would find them.
 * The redeem's answer then reads nothing more.
 */
export function keepIssuedRedemption(memberId: number, takenVersion: number, issuedVersion: number, redemption: Omit<RedemptionRow, "status">): void {
  const kept = extrasByMember.get(memberId);
  if (!kept || kept.version !== takenVersion - 1 || issuedVersion !== takenVersion + 1 || kept.expiresAt <= Date.now()) return;
  // Kept extras are read after the version they are kept under, so they may be newer: then read.
  if (kept.extras.issuedRows.some((row) => row.id >= redemption.id)) return;
  extrasByMember.set(memberId, { ...kept, version: issuedVersion, extras: { ...extrasWithIssued(kept.extras, redemption), actionClaims: kept.extras.actionClaims } });
}

async function extrasOf(connection: SqlConnection, member: MemberFacts): Promise<MemberExtras> {
  const kept = extrasByMember.get(member.id);
  if (kept && kept.version === member.summaryVersion && kept.expiresAt > Date.now()) return kept.extras;
  const reads = [...memberExtrasReads(member.id), memberActionClaimsRead(member.id)];
  const found = (await runSqlReads(connection, reads)) as Row[][];
  const extras = memberExtrasOf(found.slice(0, -1));
  const actionClaims = actionClaimsOf(found[found.length - 1]);
  if (EXTRAS_TTL_MS > 0) {
    extrasByMember.delete(member.id);
    if (extrasByMember.size >= EXTRAS_KEPT) extrasByMember.delete(extrasByMember.keys().next().value!);
    extrasByMember.set(member.id, { version: member.summaryVersion, expiresAt: Date.now() + EXTRAS_TTL_MS, extras: { ...extras, actionClaims } });
  }
  return { ...extras, actionClaims };
}

/** The member's view: the tier they hold and their progress, as the tier recalculation left them. */
export async function memberView(connection: SqlConnection, shop: ShopForEvents, member: MemberFacts): Promise<MemberView> {
  const shopDomain = shop.domain;
  const { redemptions, referrals, actionClaims } = await extrasOf(connection, member);
  const lifetimeEarned = Number(member.lifetimeEarned);
  return {
    customerId: jsonId(member.customerId),
    firstName: member.firstName,
    balance: Number(member.balance),
    pendingBalance: Number(member.pendingBalance),
    lifetimeEarned,
    ...heldTierWithPerks(shop, member),
    referralCode: member.referralCode,
    referralUrl: `https://${shopDomain}/?ref=${encodeURIComponent(member.referralCode)}`,
    redemptions,
    referrals,
    birthday: member.birthday,
    summaryVersion: member.summaryVersion,
    actionClaims,
  };
}

/** The held tier and progress (heldTierProgress), the tiers shown with their perks as the public program has them. */
function heldTierWithPerks(shop: ShopForEvents, member: MemberFacts): HeldTierProgress & { tier: PublicTier | null; nextTier: PublicTier | null } {
  const held = heldTierProgress({ tierId: member.tierId, tierActivity: Number(member.tierActivity) }, tierScale(shop));
  // The cached shop's program view (built once per cached shop) has them.
  let view = programViews.get(shop);
  if (!view) programViews.set(shop, (view = programView(shop)));
  const shown = view.tiers;
  const withPerks = (tier: HeldTierProgress["tier"]) => (tier === null ? null : (shown.find((candidate) => candidate.id === tier.id) ?? tier));
  return { ...held, tier: withPerks(held.tier), nextTier: withPerks(held.nextTier) };
}

/** What an order earned, for the order status and thank-you pages. */
export interface OrderPointsView {
  id: number;
  /** Points the order holds now (after refunds and cancellation). */
  points: number;
  /** awaiting_payment: known, not paid yet (it earns when paid); refunded: some of it was. */
  status: "awaiting_payment" | "credited" | "refunded" | "cancelled";
}

/**
 * The order's points for `customerId`; null when Tally has not processed the order yet (the
 * extension shows an estimate); "not_yours" when it belongs to another customer.
 */
export async function orderPointsView(db: Db, shopDomain: string, orderId: ShopifyId, customerId: ShopifyId | null): Promise<OrderPointsView | null | "not_yours"> {
  const snapshot = await db.orderSnapshot.findUnique({ where: { shopDomain_orderId: { shopDomain, orderId } } });
  if (!snapshot) return null;
  if (snapshot.customerId !== null && snapshot.customerId !== customerId) return "not_yours";
  const refunded = snapshot.cancelledAt === null && snapshot.paidAt !== null && (await db.orderRefund.count({ where: { shopDomain, orderId } })) > 0;
  return {
    id: jsonId(orderId),
    points: Number(snapshot.pointsCredited),
    status: snapshot.cancelledAt ? "cancelled" : !snapshot.paidAt ? "awaiting_payment" : refunded ? "refunded" : "credited",
  };
}

/** How the shop's tier thresholds count, for showing progress. */
export function tierScale(shop: Pick<ShopForEvents, "tiers" | "program" | "currency">): TierScale {
  return { tiers: shop.tiers, basis: shop.program.tiers.basis, exponent: shop.currency ? currencyExponent(shop.currency) : 2 };
}
