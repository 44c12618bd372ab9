// Issues a redemption in Shopify: a discount code (amount or percentage off, free shipping, a
// free product) or store credit, and settles an attempt whose answer was lost.
//
// Every outcome is one of three: issued (Shopify holds it), refused (Shopify certainly did not
// and will not: the points can be returned) or unknown (it may have: look it up later, never
// return the points on a guess). A code is chosen before the first attempt and never changes, so
// a second attempt either creates it or finds it taken and looks it up. Store credit has no such
// key: before crediting again, the customer's recent credit transactions are read for one of the
// same amount since the first attempt that no other redemption has claimed.
import { formatMinorUnits, parseMinorUnits } from "~/loyalty/money";
import { redeemedReward, type RedemptionRow } from "~/loyalty/redemptions.server";
import type { Reward } from "~/loyalty/rewards";
import type { ShopifyId } from "~/loyalty/shopify-id";
import type { AdminGraphql } from "./admin-graphql";
import { adminRequest, AdminRequestError } from "./admin-request.server";
import { CODE_DISCOUNT_BY_CODE, CREATE_BASIC_CODE, CREATE_FREE_SHIPPING_CODE } from "./graphql/discount-codes";
import { customerGid } from "./graphql/set-metafields";
import { CREDIT_STORE_CREDIT, RECENT_STORE_CREDITS } from "./graphql/store-credit";

/** What Shopify is asked to issue for one redemption: the same every attempt. */
export interface IssueRequest {
  redemptionId: number;
  reward: Reward;
  /** Who may use the code; null: anyone (a friend offer claimed by a visitor who is not signed in). */
  customerId: ShopifyId | null;
  code: string | null;
  amountMinor: number | null;
  exponent: number;
  currency: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  /** When the first attempt began: store credits older than this are not this redemption's. */
  firstAttemptAt: Date;
  /** The discount's title in the admin; default: the redemption's. */
  title?: string;
}

/**
 * What Shopify is asked for, from the redemption row (the settle job) and, when the caller holds
 * it already, the reward the row was made from (a redeem: the one it took), instead of reading it
 * back from the row's JSON.
 */
export function issueRequestFor(redemption: RedemptionRow, customerId: ShopifyId, reward: Reward = redeemedReward(redemption)): IssueRequest {
  return {
    redemptionId: redemption.id,
    reward,
    customerId,
    code: redemption.code,
    amountMinor: redemption.amountMinor === null ? null : Number(redemption.amountMinor),
    exponent: redemption.amountExponent,
    currency: redemption.currency,
    createdAt: redemption.createdAt,
    expiresAt: redemption.expiresAt,
    firstAttemptAt: redemption.attemptStartedAt ?? redemption.createdAt,
  };
}

export type IssueOutcome =
  | { kind: "issued"; shopifyDiscountId: string | null; storeCreditTransactionId: string | null }
  | { kind: "refused"; reason: string; unavailable: boolean }
  | { kind: "unknown"; reason: string };

interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
}

interface CodeCreated {
  codeDiscountNode: { id: string } | null;
  userErrors: UserError[];
}

/** A credit transaction may be recorded a little before our clock said the attempt began. */
const CLOCK_SKEW_MS = 5 * 60_000;

export async function issueRedemption(graphql: AdminGraphql, request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
  return request.reward.kind === "store_credit" ? creditStoreCredit(graphql, request, signal) : createCode(graphql, request, signal);
}

/**
 * Settles an attempt whose answer was lost: a code is looked up (and created if it is not there);
 * a store credit is searched for among the customer's credits (and credited if none is ours).
 * `claimedCredits` are credit transactions other redemptions already hold.
 */
export async function settleRedemption(
  graphql: AdminGraphql,
  request: IssueRequest,
  claimedCredits: (ids: string[]) => Promise<Set<string>>,
  signal?: AbortSignal,
): Promise<IssueOutcome> {
  if (request.reward.kind !== "store_credit") {
    const found = await guard(() => findCode(graphql, request.code!, signal));
    if (found.kind !== "issued" || found.shopifyDiscountId !== null) return found.kind === "refused" ? { kind: "unknown", reason: found.reason } : found;
    return createCode(graphql, request, signal);
  }
  const credit = await guard(() => findStoreCredit(graphql, request, claimedCredits, signal));
  if (credit.kind !== "issued") return credit.kind === "refused" ? { kind: "unknown", reason: credit.reason } : credit;
  if (credit.storeCreditTransactionId !== null) return credit;
  return creditStoreCredit(graphql, request, signal);
}

// ---------------------------------------------------------------------------------------------
// Discount codes

export function discountTitle(request: IssueRequest): string {
  return (request.title ?? `Tally #${request.redemptionId}: ${request.reward.title} (customer ${request.customerId})`).slice(0, 255);
}

/** The discount code input for `discountCodeBasicCreate` or `discountCodeFreeShippingCreate`. */
export function codeDiscountInput(request: IssueRequest): Record<string, unknown> {
  const { reward } = request;
  const money = (minor: number) => formatMinorUnits(minor, request.exponent);
  const common: Record<string, unknown> = {
    title: discountTitle(request),
    code: request.code,
    startsAt: request.createdAt.toISOString(),
    endsAt: request.expiresAt?.toISOString() ?? null,
    // Only the member's customer can use it, once.
    context: request.customerId === null ? { all: "ALL" } : { customers: { add: [customerGid(request.customerId)] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: reward.combinesWith.order, productDiscounts: reward.combinesWith.product, shippingDiscounts: reward.combinesWith.shipping },
    minimumRequirement: reward.minimumSubtotalMinor === null ? null : { subtotal: { greaterThanOrEqualToSubtotal: money(reward.minimumSubtotalMinor) } },
  };
  switch (reward.kind) {
    case "free_shipping":
      return { ...common, destination: { all: true } };
    case "percentage":
      return { ...common, customerGets: { value: { percentage: reward.percentage / 100 }, items: { all: true } } };
    case "free_product":
      // The variant's price off that variant, once per order (not on each item): one unit free.
      return {
        ...common,
        customerGets: {
          value: { discountAmount: { amount: money(reward.amountMinor), appliesOnEachItem: false } },
          items: { products: { productVariantsToAdd: [reward.variantGid] } },
        },
      };
    case "fixed_amount":
    case "variable":
      return {
        ...common,
        customerGets: { value: { discountAmount: { amount: money(request.amountMinor!), appliesOnEachItem: false } }, items: { all: true } },
      };
    case "store_credit":
      throw new Error("store credit is not a discount code");
  }
}

async function createCode(graphql: AdminGraphql, request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
  const freeShipping = request.reward.kind === "free_shipping";
  const attempt = await guard(async () => {
    const { data } = await adminRequest<Record<string, CodeCreated>>(
      graphql,
      freeShipping ? CREATE_FREE_SHIPPING_CODE : CREATE_BASIC_CODE,
      { discount: codeDiscountInput(request) },
      { signal },
    );
    return data[freeShipping ? "discountCodeFreeShippingCreate" : "discountCodeBasicCreate"];
  });
  if (attempt === null || attempt === undefined) return { kind: "unknown", reason: "Shopify answered the code's creation without a result" };
  if ("kind" in attempt) return attempt;
  if (attempt.codeDiscountNode) return { kind: "issued", shopifyDiscountId: attempt.codeDiscountNode.id, storeCreditTransactionId: null };
  // The code exists already: an earlier attempt of this redemption created it (codes are random
  // and unique, so no one else's is ours). Look it up for its id.
  if (attempt.userErrors.some((error) => error.code === "TAKEN" || /already (been )?taken|must be unique/i.test(error.message))) {
    const found = await guard(() => findCode(graphql, request.code!, signal));
    if (found.kind === "issued" && found.shopifyDiscountId !== null) return found;
    return { kind: "unknown", reason: "Shopify says the code is taken but does not find it" };
  }
  return { kind: "refused", reason: `Shopify refused the code: ${describe(attempt.userErrors)}`, unavailable: false };
}

/** issued with the discount's id when the code exists; issued with null when it does not. */
async function findCode(graphql: AdminGraphql, code: string, signal?: AbortSignal): Promise<IssueOutcome> {
  const { data } = await adminRequest<{ codeDiscountNodeByCode: { id: string } | null }>(graphql, CODE_DISCOUNT_BY_CODE, { code }, { signal });
  return { kind: "issued", shopifyDiscountId: data.codeDiscountNodeByCode?.id ?? null, storeCreditTransactionId: null };
}

/** Whether Shopify counts a use of the code (an order used it, maybe one we have not heard of). */
export async function codeUsage(graphql: AdminGraphql, code: string): Promise<{ exists: boolean; used: boolean }> {
  type Codes = { codes?: { nodes: { asyncUsageCount: number }[] } };
  const { data } = await adminRequest<{ codeDiscountNodeByCode: { codeDiscount: Codes } | null }>(graphql, CODE_DISCOUNT_BY_CODE, { code });
  const node = data.codeDiscountNodeByCode;
  if (!node) return { exists: false, used: false };
  return { exists: true, used: (node.codeDiscount.codes?.nodes ?? []).some((redeemCode) => redeemCode.asyncUsageCount > 0) };
}

// ---------------------------------------------------------------------------------------------
// Store credit

interface Credited {
  storeCreditAccountTransaction: { id: string } | null;
  userErrors: UserError[];
}

export function storeCreditInput(request: IssueRequest) {
  return { creditAmount: { amount: formatMinorUnits(request.amountMinor!, request.exponent), currencyCode: request.currency } };
}

async function creditStoreCredit(graphql: AdminGraphql, request: IssueRequest, signal?: AbortSignal): Promise<IssueOutcome> {
  const attempt = await guard(async () => {
    const { data } = await adminRequest<{ storeCreditAccountCredit: Credited }>(
      graphql,
      CREDIT_STORE_CREDIT,
      { id: customerGid(requiredCustomer(request)), credit: storeCreditInput(request) },
      { signal },
    );
    return data.storeCreditAccountCredit;
  });
  if (attempt === null || attempt === undefined) return { kind: "unknown", reason: "Shopify answered the store credit without a result" };
  if ("kind" in attempt) return attempt;
  if (attempt.storeCreditAccountTransaction) {
    return { kind: "issued", shopifyDiscountId: null, storeCreditTransactionId: attempt.storeCreditAccountTransaction.id };
  }
  return { kind: "refused", reason: `Shopify refused the store credit: ${describe(attempt.userErrors)}`, unavailable: false };
}

interface CreditTransaction {
  __typename: string;
  id?: string;
  createdAt: string;
  amount: { amount: string; currencyCode: string };
}

interface RecentCredits {
  customer: { storeCreditAccounts: { nodes: { id: string; transactions: { nodes: CreditTransaction[] } }[] } } | null;
}

/** issued with the credit's transaction id when one is ours; issued with null when none is. */
async function findStoreCredit(
  graphql: AdminGraphql,
  request: IssueRequest,
  claimedCredits: (ids: string[]) => Promise<Set<string>>,
  signal?: AbortSignal,
): Promise<IssueOutcome> {
  const { data } = await adminRequest<RecentCredits>(graphql, RECENT_STORE_CREDITS, { customerId: customerGid(requiredCustomer(request)) }, { signal });
  const since = request.firstAttemptAt.getTime() - CLOCK_SKEW_MS;
  const candidates = (data.customer?.storeCreditAccounts.nodes ?? [])
    .flatMap((account) => account.transactions.nodes)
    .filter(
      (transaction) =>
        transaction.__typename === "StoreCreditAccountCreditTransaction" &&
        transaction.id !== undefined &&
        transaction.amount.currencyCode === request.currency &&
        Date.parse(transaction.createdAt) >= since &&
        sameAmount(transaction.amount.amount, request.amountMinor!, request.exponent),
    )
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const claimed = await claimedCredits(candidates.map((transaction) => transaction.id!));
  const ours = candidates.find((transaction) => !claimed.has(transaction.id!));
  return { kind: "issued", shopifyDiscountId: null, storeCreditTransactionId: ours?.id ?? null };
}

function sameAmount(decimal: string, minor: number, exponent: number): boolean {
  try {
    return parseMinorUnits(decimal, exponent) === minor;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

/** Turns an Admin API failure into an outcome: refused when Shopify certainly did nothing. */
async function guard<T>(call: () => Promise<T>): Promise<T | Extract<IssueOutcome, { kind: "refused" | "unknown" }>> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof AdminRequestError)) return { kind: "unknown", reason: `unexpected failure: ${(error as Error)?.message ?? String(error)}` };
    if (error.mayHaveApplied) return { kind: "unknown", reason: error.message };
    return { kind: "refused", reason: error.message, unavailable: true };
  }
}

function requiredCustomer(request: IssueRequest): ShopifyId {
  if (request.customerId === null) throw new Error("store credit needs a customer");
  return request.customerId;
}

function describe(errors: UserError[]): string {
  return errors.map((error) => `${error.code ?? "ERROR"} ${error.message}`).join("; ") || "no reason given";
}
