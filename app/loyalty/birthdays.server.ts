// Birthday bonuses: the shopper gives month and day once (signed proxy); on the day, in the
// shop's time zone, the job runner credits the program's birthday points, once a year per
// member (ledger key birthday:<member>:<year>), to birthdays set at least BIRTHDAY_NOTICE_DAYS
// before.
import type { Db } from "~/db.server";
import { writeBalanceChange } from "./balance-change.server";
import { BIRTHDAY_NOTICE_DAYS, birthdaysCelebratedOn, dayIn } from "./birthdays";
import { ensureMember } from "./members.server";
import { parseProgram } from "./program";
import { ensureShop } from "./shops.server";
import type { ShopifyId } from "./shopify-id";
import { inTransaction } from "./transaction.server";

export type SetBirthdayOutcome = "set" | "already_set";

/** Records the member's birthday ("MM-DD"), once: a birthday already given is not changed. */
export function setBirthday(db: Db, shopDomain: string, customerId: ShopifyId, birthday: string, now = new Date()): Promise<SetBirthdayOutcome> {
  return inTransaction(db, async (tx) => {
    await ensureShop(tx, shopDomain);
    const member = await ensureMember(tx, shopDomain, customerId);
    const updated = await tx.member.updateMany({ where: { id: member.id, birthday: null }, data: { birthday, birthdaySetAt: now, summaryVersion: { increment: 1 } } });
    return updated.count === 1 ? "set" : "already_set";
  });
}

const BATCH = 500;

/** Credits today's birthday bonuses for the shop; returns how many were credited. Safe to run any number of times. */
export async function grantBirthdayBonuses(db: Db, shopDomain: string, now = new Date()): Promise<number> {
  const shop = await db.shop.findUnique({ where: { domain: shopDomain }, select: { program: true, timezone: true, uninstalledAt: true } });
  if (!shop || shop.uninstalledAt) return 0;
  const program = parseProgram(shop.program);
  const points = program.enabled ? program.birthdayPoints : 0;
  if (points === 0) return 0;
  const { year, monthDay } = dayIn(now, shop.timezone);
  const noticeBefore = new Date(now.getTime() - BIRTHDAY_NOTICE_DAYS * 86_400_000);
  let credited = 0;
  let after = 0;
  for (;;) {
    const members = await db.member.findMany({
      where: { shopDomain, id: { gt: after }, birthday: { in: birthdaysCelebratedOn(year, monthDay) }, birthdaySetAt: { lte: noticeBefore } },
      orderBy: { id: "asc" },
      take: BATCH,
      select: { id: true },
    });
    for (const { id } of members) if (await creditBirthday(db, shopDomain, id, year, points)) credited++;
    if (members.length < BATCH) return credited;
    after = members.at(-1)!.id;
  }
}

function creditBirthday(db: Db, shopDomain: string, memberId: number, year: number, points: number): Promise<boolean> {
  const key = `birthday:${memberId}:${year}`;
  return inTransaction(db, async (tx) => {
    if (await tx.ledgerEntry.findUnique({ where: { shopDomain_idempotencyKey: { shopDomain, idempotencyKey: key } } })) return false;
    await writeBalanceChange(tx, { shopDomain, memberId, delta: points, kind: "birthday", sourceType: "birthday", sourceId: String(year), actor: "job:birthday-bonuses", idempotencyKey: key, earned: true });
    return true;
  });
}

/** Shops with a birthday bonus set (the job checks each one's day in its own time zone). */
export async function shopsWithBirthdayBonus(db: Db): Promise<string[]> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true, program: true } });
  return shops.filter((shop) => {
    const program = parseProgram(shop.program);
    return program.enabled && program.birthdayPoints > 0;
  }).map((shop) => shop.domain);
}
