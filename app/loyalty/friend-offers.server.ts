// The friend's side of a referral: a visitor who arrived with a member's `?ref=` code claims the
// friend offer (program.referrals.friendDiscountMajorUnits off a first order) and gets a code.
// Signed in, they get one offer ever (claiming again shows the same code) and only as a new
// customer; not signed in, the code is single use and the claims per referral code are limited
// per day, so a shared link cannot be turned into a stream of discounts.
import { randomBytes } from "node:crypto";
import type { Db } from "~/db.server";
import { currencyExponent, formatMinorUnits } from "./money";
import { newDiscountCode, type Reward } from "./rewards";
import { ensureShop } from "./shops.server";
import type { ShopifyId } from "./shopify-id";
import { inTransaction } from "./transaction.server";

/** Claims of one referral code by visitors who are not signed in, per day. */
export const VISITOR_CLAIMS_PER_CODE_PER_DAY = 20;
/** A friend offer's code works for this long. */
export const FRIEND_OFFER_DAYS = 30;
const DAY_MS = 86_400_000;

export type FriendOfferRow = NonNullable<Awaited<ReturnType<Db["friendOffer"]["findUnique"]>>>;

export interface FriendOfferView {
  code: string | null;
  status: "issued" | "pending";
  amount: string;
  currency: string | null;
  expiresAt: string | null;
  /** The member whose link it came from, by first name when known. */
  referredBy: string | null;
}

export type FriendOfferClaim =
  | { kind: "existing"; offer: FriendOfferRow; referredBy: string | null }
  | { kind: "new"; offer: FriendOfferRow; reward: Reward; referredBy: string | null }
  | { kind: "refused"; status: 404 | 422 | 429; code: string; message: string };

export function claimFriendOffer(db: Db, shopDomain: string, referralCode: string, customerId: ShopifyId | null, now = new Date()): Promise<FriendOfferClaim> {
  return inTransaction(db, async (tx) => {
    const shop = await ensureShop(tx, shopDomain);
    const settings = shop.program.referrals;
    if (!settings.enabled || !shop.program.enabled || settings.friendDiscountMajorUnits === 0) {
      return { kind: "refused", status: 422, code: "offer_unavailable", message: "This shop has no friend offer." };
    }
    const referrer = await tx.member.findUnique({ where: { shopDomain_referralCode: { shopDomain, referralCode } } });
    if (!referrer) return { kind: "refused", status: 404, code: "unknown_referral_code", message: "No member has this referral code." };
    const referredBy = referrer.firstName;
    if (customerId !== null) {
      if (referrer.customerId === customerId) return { kind: "refused", status: 422, code: "self_referral", message: "You cannot claim your own friend offer." };
      const existing = await tx.friendOffer.findUnique({ where: { shopDomain_customerId: { shopDomain, customerId } } });
      if (existing && existing.status !== "failed") return { kind: "existing", offer: existing, referredBy };
      if ((await tx.orderSnapshot.count({ where: { shopDomain, customerId } })) > 0) {
        return { kind: "refused", status: 422, code: "not_new_customer", message: "The friend offer is for a first order." };
      }
      if (existing) await tx.friendOffer.delete({ where: { id: existing.id } });
    } else {
      // The referrer's row locked first (an update that changes nothing; PostgreSQL holds it to
      // the commit), so that concurrent visitors' claims of one link count each other.
      await tx.$executeRaw`UPDATE "Member" SET "referralCode" = "referralCode" WHERE "id" = ${referrer.id}`;
      const claims = await tx.friendOffer.count({ where: { shopDomain, referralCode, customerId: null, createdAt: { gt: new Date(now.getTime() - DAY_MS) } } });
      if (claims >= VISITOR_CLAIMS_PER_CODE_PER_DAY) return { kind: "refused", status: 429, code: "too_many_claims", message: "This link's offer was claimed too often today; sign in to claim it." };
    }
    const exponent = shop.currency ? currencyExponent(shop.currency) : 2;
    const amountMinor = settings.friendDiscountMajorUnits * 10 ** exponent;
    const offer = await tx.friendOffer.create({
      data: {
        shopDomain,
        referralCode,
        customerId,
        code: newDiscountCode(randomBytes(10)),
        amountMinor: BigInt(amountMinor),
        amountExponent: exponent,
        currency: shop.currency,
        expiresAt: new Date(now.getTime() + FRIEND_OFFER_DAYS * DAY_MS),
        createdAt: now,
      },
    });
    const reward = friendOfferReward(amountMinor, exponent);
    return { kind: "new", offer, reward, referredBy };
  });
}

/** What a friend offer's code gives, as a reward: `amountMinor` off a first order, valid FRIEND_OFFER_DAYS. */
export function friendOfferReward(amountMinor: number, exponent: number): Reward {
  return {
    id: 0,
    kind: "fixed_amount",
    title: `${formatMinorUnits(amountMinor, exponent)} off your first order`,
    costPoints: 1,
    enabled: true,
    amountMinor,
    minimumSubtotalMinor: null,
    codeExpiryDays: FRIEND_OFFER_DAYS,
    combinesWith: { order: false, product: false, shipping: false },
    tierId: null,
  };
}

export async function settleFriendOffer(db: Db, offerId: number, outcome: { status: "issued"; shopifyDiscountId: string | null } | { status: "failed" | "pending" }): Promise<void> {
  await db.friendOffer.update({
    where: { id: offerId },
    data: outcome.status === "issued" ? { status: "issued", shopifyDiscountId: outcome.shopifyDiscountId } : { status: outcome.status },
  });
}

export function friendOfferView(offer: FriendOfferRow, referredBy: string | null): FriendOfferView {
  return {
    code: offer.status === "issued" ? offer.code : null,
    status: offer.status === "issued" ? "issued" : "pending",
    amount: formatMinorUnits(Number(offer.amountMinor), offer.amountExponent),
    currency: offer.currency,
    expiresAt: offer.expiresAt?.toISOString() ?? null,
    referredBy,
  };
}
