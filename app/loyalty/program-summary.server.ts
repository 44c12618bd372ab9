// The admin overview: the shop's program and how many members it has.
import type { Db } from "~/db.server";
import { ensureShop } from "./shops.server";
import { inTransaction } from "./transaction.server";

export async function programSummary(db: Db, shopDomain: string) {
  const shop = await inTransaction(db, (tx) => ensureShop(tx, shopDomain));
  const [memberCount, balances, ordersCredited, rewards] = await Promise.all([
    db.member.count({ where: { shopDomain } }),
    db.member.aggregate({ where: { shopDomain }, _sum: { balance: true } }),
    db.orderSnapshot.count({ where: { shopDomain, pointsCredited: { gt: 0 } } }),
    db.reward.findMany({ where: { shopDomain, enabled: true }, orderBy: { position: "asc" } }),
  ]);
  return {
    program: shop.program,
    currency: shop.currency,
    memberCount,
    pointsOutstanding: Number(balances._sum.balance ?? 0n),
    ordersCredited,
    rewards: rewards.map(({ id, title, costPoints }) => ({ id, title, costPoints })),
  };
}
