// Referral fraud rules, pure: whether a referred order may credit its referrer.

/** Referral codes as members are given them (members.server.ts) and the widget accepts them. */
export const REFERRAL_CODE_PATTERN = /^[A-Z2-9]{6,12}$/;

/** A referral code as typed or carried on a cart (case and surrounding space do not matter), or null. */
export function normaliseReferralCode(value: string | null | undefined): string | null {
  const code = value?.trim().toUpperCase() ?? "";
  return REFERRAL_CODE_PATTERN.test(code) ? code : null;
}

const GMAIL_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/**
 * One mailbox, one address: case folded, a `+tag` dropped, and for Gmail the dots of the local
 * part (which Gmail ignores) and googlemail.com → gmail.com. Null for no or a malformed address.
 */
export function normaliseEmail(email: string | null | undefined): string | null {
  const trimmed = email?.trim().toLowerCase() ?? "";
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at === trimmed.length - 1) return null;
  let local = trimmed.slice(0, at).split("+")[0];
  let domain = trimmed.slice(at + 1);
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replaceAll(".", "");
    domain = "gmail.com";
  }
  return local ? `${local}@${domain}` : null;
}

export type ReferralRefusal = "self_referral" | "same_email" | "not_new_customer" | "free_order" | "weekly_cap";

export interface ReferralFacts {
  referrerCustomerId: bigint;
  referrerEmail: string | null;
  referredCustomerId: bigint;
  referredEmail: string | null;
  /** Whether Tally knows an earlier order of the referred customer. */
  referredHasEarlierOrder: boolean;
  /**
   * What the referred order spent on what earns points (after discounts, the friend's offer
   * included; no shipping, tips or gift cards), in minor units; absent when not known.
   */
  referredOrderEligibleMinor?: number | null;
  /** Referrals credited to the referrer in the last 7 days. */
  referrerCreditedThisWeek: number;
  weeklyCap: number;
}

/** Null when the referral may credit its referrer, or the rule that refuses it. */
export function referralRefusal(facts: ReferralFacts): ReferralRefusal | null {
  if (facts.referrerCustomerId === facts.referredCustomerId) return "self_referral";
  const referrer = normaliseEmail(facts.referrerEmail);
  if (referrer !== null && referrer === normaliseEmail(facts.referredEmail)) return "same_email";
  if (facts.referredHasEarlierOrder) return "not_new_customer";
  // A first order that bought nothing (the friend's offer covered it all): no reward to the referrer.
  if (facts.referredOrderEligibleMinor !== undefined && facts.referredOrderEligibleMinor !== null && facts.referredOrderEligibleMinor <= 0) return "free_order";
  if (facts.referrerCreditedThisWeek >= facts.weeklyCap) return "weekly_cap";
  return null;
}
