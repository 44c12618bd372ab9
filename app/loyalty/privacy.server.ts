// Shopify's mandatory privacy webhooks and the app's lifecycle. Each is one transaction.
import type { Db } from "~/db.server";
import { redemptionView } from "./redemptions.server";
import { forgetShop } from "./shop-cache.server";
import { jsonId, type ShopifyId } from "./shopify-id";
import { inTransaction } from "./transaction.server";

export interface CustomerExport {
  shop: string;
  customerId: number;
  member: null | {
    email: string | null;
    firstName: string | null;
    lastName: string | null;
    birthday: string | null;
    balance: number;
    pendingBalance: number;
    lifetimeEarned: number;
    referralCode: string;
    joinedAt: string;
  };
  ledger: { createdAt: string; delta: number; kind: string; sourceType: string; sourceId: string; note: string | null }[];
  orders: { orderId: number; pointsCredited: number; paidAt: string | null; cancelledAt: string | null }[];
  /** Rewards redeemed: codes and store credits, whatever became of them. */
  redemptions: { createdAt: string; title: string; status: string; pointsSpent: number; code: string | null; amount: string | null; currency: string | null; orderId: number | null }[];
  /** Custom actions claimed (README "Custom actions") and what was decided. */
  actionClaims: { createdAt: string; action: string; kind: string; status: string; points: number; decidedAt: string | null }[];
}

/**
 * customers/data_request: assembles everything Tally holds on the customer and stores it as a
 * DataRequest row, which the merchant hands to the customer (Shopify does not take a reply).
 * A shop Tally holds nothing of (never installed, or redacted) gets nothing stored, not even a
 * Shop row: there is nothing to export, and a privacy request must not enrol a shop. Null then.
 */
export function recordDataRequest(
  db: Db,
  shop: string,
  request: { customerId: ShopifyId; ordersRequested: ShopifyId[]; requestId: ShopifyId | null },
): Promise<CustomerExport | null> {
  return inTransaction(db, async (tx) => {
    if (!(await tx.shop.findUnique({ where: { domain: shop }, select: { domain: true } }))) return null;
    const customerId = request.customerId;
    const member = await tx.member.findUnique({
      where: { shopDomain_customerId: { shopDomain: shop, customerId } },
      include: { ledger: { orderBy: { id: "asc" } }, redemptions: { orderBy: { id: "asc" } }, actionClaims: { orderBy: { id: "asc" }, include: { action: { select: { title: true, kind: true } } } } },
    });
    const orders = await tx.orderSnapshot.findMany({
      where: {
        shopDomain: shop,
        OR: [{ customerId }, { orderId: { in: request.ordersRequested } }],
      },
      orderBy: { orderId: "asc" },
    });
    const data: CustomerExport = {
      shop,
      customerId: jsonId(request.customerId),
      member: member && {
        email: member.email,
        firstName: member.firstName,
        lastName: member.lastName,
        birthday: member.birthday,
        balance: Number(member.balance),
        pendingBalance: Number(member.pendingBalance),
        lifetimeEarned: Number(member.lifetimeEarned),
        referralCode: member.referralCode,
        joinedAt: member.createdAt.toISOString(),
      },
      ledger: (member?.ledger ?? []).map((entry) => ({
        createdAt: entry.createdAt.toISOString(),
        delta: Number(entry.delta),
        kind: entry.kind,
        sourceType: entry.sourceType,
        sourceId: entry.sourceId,
        note: entry.note,
      })),
      orders: orders.map((order) => ({
        orderId: jsonId(order.orderId),
        pointsCredited: Number(order.pointsCredited),
        paidAt: order.paidAt?.toISOString() ?? null,
        cancelledAt: order.cancelledAt?.toISOString() ?? null,
      })),
      redemptions: (member?.redemptions ?? []).map((redemption) => ({
        createdAt: redemption.createdAt.toISOString(),
        title: redemption.title,
        status: redemption.status,
        pointsSpent: Number(redemption.pointsSpent),
        code: redemption.code,
        amount: redemptionView(redemption).amount,
        currency: redemption.currency,
        orderId: redemption.orderId === null ? null : jsonId(redemption.orderId),
      })),
      actionClaims: (member?.actionClaims ?? []).map((claim) => ({
        createdAt: claim.createdAt.toISOString(),
        action: claim.action.title,
        kind: claim.action.kind,
        status: claim.status,
        points: claim.points,
        decidedAt: claim.decidedAt?.toISOString() ?? null,
      })),
    };
    const record = { shopDomain: shop, customerId, requestId: request.requestId, data: JSON.stringify(data) };
    // A request delivered again (Shopify retries, or sends it twice at once) keeps one export:
    // the latest, in the row the first delivery made. A request without an id is stored each time.
    if (request.requestId === null) await tx.dataRequest.create({ data: record });
    else
      await tx.dataRequest.upsert({
        where: { shopDomain_requestId: { shopDomain: shop, requestId: request.requestId } },
        create: record,
        update: { customerId, data: record.data },
      });
    return data;
  });
}

/**
 * customers/redact: deletes the member (and with it their ledger), what we hold on their
 * orders, and earlier exports of their data, and remembers the customer id as erased: order
 * deliveries that still name them are then taken as a guest's (ledger.server.ts), and
 * customers/create or update store nothing of them.
 */
export function redactCustomer(db: Db, shop: string, request: { customerId: ShopifyId; ordersToRedact: ShopifyId[] }) {
  return inTransaction(db, async (tx) => {
    const customerId = request.customerId;
    // The member's row locked first (an update that changes nothing): an order delivery for them
    // running meanwhile waits at its member upsert, then finds the erasure committed and runs as
    // a guest's; one that committed before is among the orders read next.
    await tx.$executeRaw`UPDATE "Member" SET "customerId" = "customerId" WHERE "shopDomain" = ${shop} AND "customerId" = ${customerId}`;
    const orders = await tx.orderSnapshot.findMany({
      where: { shopDomain: shop, OR: [{ customerId }, { orderId: { in: request.ordersToRedact } }] },
      select: { orderId: true },
    });
    const orderIds = orders.map((order) => order.orderId);
    await tx.orderRefund.deleteMany({ where: { shopDomain: shop, orderId: { in: orderIds } } });
    await tx.orderSnapshot.deleteMany({ where: { shopDomain: shop, orderId: { in: orderIds } } });
    await tx.dataRequest.deleteMany({ where: { shopDomain: shop, customerId } });
    await tx.friendOffer.deleteMany({ where: { shopDomain: shop, customerId } });
    await tx.flowEvent.deleteMany({ where: { shopDomain: shop, customerId } });
    // The referrers' referral figures change with these rows: their summaries are out of date.
    const referrers = await tx.referral.findMany({ where: { shopDomain: shop, referredCustomerId: customerId }, select: { referrerMemberId: true } });
    await tx.member.updateMany({ where: { id: { in: referrers.map((referral) => referral.referrerMemberId) } }, data: { summaryVersion: { increment: 1 } } });
    await tx.referral.deleteMany({ where: { shopDomain: shop, referredCustomerId: customerId } });
    await tx.actionClaim.deleteMany({ where: { shopDomain: shop, member: { customerId } } });
    const members = await tx.member.deleteMany({ where: { shopDomain: shop, customerId } });
    // Kept so that a later delivery naming them stores nothing of them again (isRedacted); a
    // shop Tally holds nothing of gets no row at all.
    if ((await tx.shop.count({ where: { domain: shop } })) > 0) {
      await tx.redactedCustomer.upsert({ where: { shopDomain_customerId: { shopDomain: shop, customerId } }, create: { shopDomain: shop, customerId }, update: {} });
    }
    return { membersDeleted: members.count, ordersDeleted: orderIds.length };
  });
}

/** Rows deleted per statement when a shop is redacted: each a short write, so other writers wait milliseconds. */
export const REDACT_CHUNK_ROWS = 2_000;

/**
 * shop/redact: every row of the shop goes, sessions too. A shop can hold hundreds of thousands
 * of members and ledger rows; deleting them in one statement would hold SQLite's write lock (and
 * this process's event loop, the driver being synchronous) for seconds, and other workers'
 * deliveries would fail meanwhile. So rows go in chunks of REDACT_CHUNK_ROWS, each its own
 * short transaction, yielding between chunks; the shop row goes last (its cascade takes whatever
 * raced in meanwhile). Safe to interrupt and run again: it deletes what is left.
 */
export async function redactShop(db: Db, shop: string, { beforeChunk }: { beforeChunk?: () => Promise<void> } = {}) {
  const chunks: (() => Promise<number>)[] = [
    () => db.$executeRaw`DELETE FROM "LedgerEntry" WHERE "id" IN (SELECT "id" FROM "LedgerEntry" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () => db.$executeRaw`DELETE FROM "Redemption" WHERE "id" IN (SELECT "id" FROM "Redemption" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () => db.$executeRaw`DELETE FROM "ActionClaim" WHERE "id" IN (SELECT "id" FROM "ActionClaim" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () => db.$executeRaw`DELETE FROM "Member" WHERE "id" IN (SELECT "id" FROM "Member" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () =>
      db.$executeRaw`DELETE FROM "OrderRefund" WHERE "shopDomain" = ${shop} AND "refundId" IN (SELECT "refundId" FROM "OrderRefund" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () =>
      db.$executeRaw`DELETE FROM "OrderSnapshot" WHERE "shopDomain" = ${shop} AND "orderId" IN (SELECT "orderId" FROM "OrderSnapshot" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () => db.$executeRaw`DELETE FROM "EarningAction" WHERE "id" IN (SELECT "id" FROM "EarningAction" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () => db.$executeRaw`DELETE FROM "DataRequest" WHERE "id" IN (SELECT "id" FROM "DataRequest" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
    () =>
      db.$executeRaw`DELETE FROM "WebhookEvent" WHERE "shopDomain" = ${shop} AND "eventId" IN (SELECT "eventId" FROM "WebhookEvent" WHERE "shopDomain" = ${shop} LIMIT ${REDACT_CHUNK_ROWS})`,
  ];
  let deleted = 0;
  for (const deleteChunk of chunks) {
    for (;;) {
      await beforeChunk?.();
      const count = await deleteChunk();
      deleted += count;
      // Let this process's other requests run between chunks.
      await new Promise((resolve) => setImmediate(resolve));
      if (count < REDACT_CHUNK_ROWS) break;
    }
  }
  await inTransaction(db, async (tx) => {
    await tx.session.deleteMany({ where: { shop } });
    await tx.shop.deleteMany({ where: { domain: shop } });
  });
  forgetShop(shop);
  return { rowsDeleted: deleted };
}

/** Whether customers/redact erased this customer of the shop. */
export async function isRedacted(db: Db, shop: string, customerId: ShopifyId): Promise<boolean> {
  return (await db.redactedCustomer.count({ where: { shopDomain: shop, customerId } })) > 0;
}
