// Members: a Shopify customer enrolled in a shop's program. Created the first time the customer
// is seen (an order, customers/create, or a signed-in storefront visit).
import { randomBytes } from "node:crypto";
import type { Db, Prisma } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { searchKey } from "./member-search";
import { ensureShop } from "./shops.server";
import type { ShopifyId } from "./shopify-id";
import { inTransaction } from "./transaction.server";

/** What a member view is made of, as the members table holds it. */
export interface MemberFacts {
  id: number;
  customerId: ShopifyId;
  firstName: string | null;
  balance: bigint | number;
  pendingBalance: bigint | number;
  lifetimeEarned: bigint | number;
  referralCode: string;
  birthday: string | null;
  /** The tier held and the activity toward the next, as the tier recalculation left them. */
  tierId: number | null;
  tierActivity: bigint | number;
  /** Bumped by every change the storefront summary shows; the widget compares it with the metafield's. */
  summaryVersion: number;
}

export interface CustomerProfile {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

const REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read aloud safely

export function newReferralCode(): string {
  const bytes = randomBytes(8);
  let code = "";
  for (const byte of bytes) code += REFERRAL_ALPHABET[byte % REFERRAL_ALPHABET.length];
  return code;
}

/**
 * The member for a customer, created if new. A race with another delivery creating the same
 * member surfaces as a unique violation, and the caller's transaction is retried.
 */
export async function ensureMember(
  tx: Prisma.TransactionClient,
  shopDomain: string,
  customerId: ShopifyId,
  profile: CustomerProfile = {},
) {
  const existing = await tx.member.findUnique({
    where: { shopDomain_customerId: { shopDomain, customerId } },
  });
  if (existing) {
    const missing = profileGaps(existing, profile);
    return missing ? tx.member.update({ where: { id: existing.id }, data: withSearchKeys(missing) }) : existing;
  }
  return tx.member.create({
    data: {
      shopDomain,
      customerId,
      ...withSearchKeys({ email: profile.email ?? null, firstName: profile.firstName ?? null, lastName: profile.lastName ?? null }),
      referralCode: newReferralCode(),
      lastActivityMs: Date.now(),
    },
  });
}

/** The profile's fields with their search keys beside them (app/loyalty/member-search.ts). */
function withSearchKeys<Profile extends CustomerProfile>(profile: Profile) {
  return {
    ...profile,
    ...("email" in profile ? { emailKey: searchKey(profile.email) } : {}),
    ...("firstName" in profile ? { firstNameKey: searchKey(profile.firstName) } : {}),
    ...("lastName" in profile ? { lastNameKey: searchKey(profile.lastName) } : {}),
  };
}

/** email, firstName, lastName, then their search keys: the plain-SQL member insert's values. */
export function profileColumns(profile: CustomerProfile): (string | null)[] {
  const fields = [profile.email ?? null, profile.firstName ?? null, profile.lastName ?? null];
  return [...fields, ...fields.map(searchKey)];
}

// Fill in what we did not know (an order seen before customers/create); never overwrite.
function profileGaps(
  member: { email: string | null; firstName: string | null; lastName: string | null },
  profile: CustomerProfile,
): CustomerProfile | null {
  const gaps: CustomerProfile = {};
  if (!member.email && profile.email) gaps.email = profile.email;
  if (!member.firstName && profile.firstName) gaps.firstName = profile.firstName;
  if (!member.lastName && profile.lastName) gaps.lastName = profile.lastName;
  return Object.keys(gaps).length > 0 ? gaps : null;
}

/**
 * customers/create: the customer becomes a member, with the program's signup bonus when it has
 * one (once: the ledger key is the customer's, so a repeated delivery adds nothing).
 */
export function enrollCustomer(db: Db, shop: string, customerId: ShopifyId, profile: CustomerProfile) {
  return inTransaction(db, async (tx) => {
    const { program } = await ensureShop(tx, shop);
    const member = await ensureMember(tx, shop, customerId, profile);
    if (program.signupPoints === 0 || !program.enabled) return { member, bonus: 0 };
    const key = `signup:${customerId}`;
    if (await tx.ledgerEntry.findUnique({ where: { shopDomain_idempotencyKey: { shopDomain: shop, idempotencyKey: key } } })) return { member, bonus: 0 };
    await writeBalanceChange(tx, {
      shopDomain: shop,
      memberId: member.id,
      delta: program.signupPoints,
      kind: "signup",
      sourceType: "signup",
      sourceId: String(customerId),
      actor: "webhook:customers/create",
      idempotencyKey: key,
      earned: true,
    });
    return { member, bonus: program.signupPoints };
  });
}
