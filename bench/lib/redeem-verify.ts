// After the redemption load: no points spent twice, none lost, and Shopify holds exactly one code
// per issued redemption. A fast redeem that double-spends, or takes points without a code, would
// otherwise look like a good result.
import type { StandInState } from "../../dev/simulator/admin-api-stand-in";
import type { Db } from "./database";

export interface RedeemCheck {
  ok: boolean;
  /** Answers 200 the clients saw, and redemptions the database holds as issued. */
  answered200: number;
  issuedRedemptions: number;
  /** Redemptions in any other state (pending, failed, …): none expected. */
  otherRedemptions: number;
  codesHeldByShopify: number;
  membersChecked: number;
  /** Members whose balance differs from the sum of their ledger rows. */
  membersOutOfBalance: number;
  /** Members whose balance is below zero now, or was at some row of their ledger. */
  membersEverNegative: number;
  /** Σ points the members' ledgers lost to redemptions, and Σ of the issued rewards' cost. */
  pointsSpent: string;
  pointsOfIssuedRewards: string;
  problems: string[];
}

export async function checkRedemptions(
  db: Db,
  options: {
    shop: string;
    customerIds: readonly number[];
    /** What each member earned from its order before redeeming. */
    earnedPerMember: number;
    rewardCost: number;
    answered200: readonly { customerId: number; code: string | null }[];
    shopify: StandInState;
  },
): Promise<RedeemCheck> {
  const { shop } = options;
  const problems: string[] = [];
  const [members, redemptions, ledger] = await Promise.all([
    db.member.findMany({ where: { shopDomain: shop }, select: { id: true, customerId: true, balance: true } }),
    db.redemption.findMany({ where: { shopDomain: shop }, select: { id: true, memberId: true, status: true, code: true, pointsSpent: true, pointsReturned: true } }),
    db.ledgerEntry.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" }, select: { memberId: true, delta: true, kind: true, idempotencyKey: true } }),
  ]);
  const benchMembers = members.filter((member) => options.customerIds.includes(Number(member.customerId)));
  if (benchMembers.length !== options.customerIds.length) problems.push(`${options.customerIds.length - benchMembers.length} bench member(s) missing`);

  // Balances: each equals its ledger, and no prefix of its ledger (in commit order) goes below zero.
  let membersOutOfBalance = 0;
  let membersEverNegative = 0;
  for (const member of members) {
    let running = 0n;
    let lowest = 0n;
    for (const row of ledger) {
      if (row.memberId !== member.id) continue;
      running += row.delta;
      if (running < lowest) lowest = running;
    }
    if (running !== member.balance) membersOutOfBalance++;
    if (member.balance < 0n || lowest < 0n) membersEverNegative++;
  }
  if (membersOutOfBalance > 0) problems.push(`${membersOutOfBalance} member(s) whose balance differs from their ledger`);
  if (membersEverNegative > 0) problems.push(`${membersEverNegative} member(s) whose balance went below zero`);

  // Redemptions: every 200 is one issued redemption with its code, and nothing else was left.
  const issued = redemptions.filter((redemption) => redemption.status === "issued");
  const other = redemptions.filter((redemption) => redemption.status !== "issued");
  if (other.length > 0) problems.push(`${other.length} redemption(s) not issued (${[...new Set(other.map((r) => r.status))].join(", ")})`);
  if (issued.length !== options.answered200.length) problems.push(`${options.answered200.length} answers 200 but ${issued.length} issued redemptions`);
  const issuedCodes = new Set(issued.map((redemption) => redemption.code));
  const answeredCodes = new Set(options.answered200.map((answer) => answer.code));
  if (answeredCodes.size !== options.answered200.length || [...answeredCodes].some((code) => !issuedCodes.has(code))) {
    problems.push("the codes answered are not the issued redemptions' codes, one each");
  }

  // Shopify: one code per issued redemption, the same codes, each for its member's customer.
  const held = new Map(options.shopify.discounts.map((discount) => [discount.code, discount]));
  if (held.size !== issued.length) problems.push(`Shopify holds ${held.size} codes for ${issued.length} issued redemptions`);
  const customerOf = new Map(members.map((member) => [member.id, `gid://shopify/Customer/${member.customerId}`]));
  const mismatched = issued.filter((redemption) => {
    const discount = held.get(redemption.code ?? "");
    return !discount || discount.customers.length !== 1 || discount.customers[0] !== customerOf.get(redemption.memberId);
  });
  if (mismatched.length > 0) problems.push(`${mismatched.length} issued redemption(s) without their code, for their customer, in Shopify`);

  // Points: what the ledgers lost to redemptions is exactly the issued rewards' cost, each
  // redemption spent once and none given back; each member ends at earned − its rewards.
  const redeemRows = ledger.filter((row) => row.kind === "redeem" || row.kind === "redeem_refund");
  const pointsSpent = -redeemRows.reduce((sum, row) => sum + row.delta, 0n);
  const pointsOfIssuedRewards = issued.reduce((sum, redemption) => sum + redemption.pointsSpent, 0n);
  if (pointsSpent !== pointsOfIssuedRewards) problems.push(`ledgers lost ${pointsSpent} points to redemptions, the issued rewards cost ${pointsOfIssuedRewards}`);
  const spendsPerRedemption = new Map<string, number>();
  for (const row of redeemRows) {
    const id = /^redemption:(\d+):/.exec(row.idempotencyKey)?.[1] ?? "?";
    spendsPerRedemption.set(id, (spendsPerRedemption.get(id) ?? 0) + (row.kind === "redeem" ? 1 : 0));
  }
  const spentTwice = [...spendsPerRedemption.values()].filter((count) => count > 1).length;
  if (spentTwice > 0) problems.push(`${spentTwice} redemption(s) spent more than once`);
  const wrongCost = issued.filter((redemption) => redemption.pointsSpent !== BigInt(options.rewardCost) || redemption.pointsReturned).length;
  if (wrongCost > 0) problems.push(`${wrongCost} issued redemption(s) with another cost or their points returned`);
  const issuedPerMember = new Map<number, number>();
  for (const redemption of issued) issuedPerMember.set(redemption.memberId, (issuedPerMember.get(redemption.memberId) ?? 0) + 1);
  const wrongBalance = benchMembers.filter(
    (member) => member.balance !== BigInt(options.earnedPerMember - options.rewardCost * (issuedPerMember.get(member.id) ?? 0)),
  ).length;
  if (wrongBalance > 0) problems.push(`${wrongBalance} member(s) whose balance is not earned − their rewards`);

  return {
    ok: problems.length === 0,
    answered200: options.answered200.length,
    issuedRedemptions: issued.length,
    otherRedemptions: other.length,
    codesHeldByShopify: held.size,
    membersChecked: members.length,
    membersOutOfBalance,
    membersEverNegative,
    pointsSpent: String(pointsSpent),
    pointsOfIssuedRewards: String(pointsOfIssuedRewards),
    problems,
  };
}
