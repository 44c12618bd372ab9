// Shopify's mandatory privacy webhooks and the app's lifecycle. Each is one transaction.
import type { Db } from "~/db.server";
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
      include: { ledger: { orderBy: { id: "asc" } } },
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
    };
    await tx.dataRequest.create({
      data: {
        shopDomain: shop,
        customerId,
        requestId: request.requestId,
        data: JSON.stringify(data),
      },
    });
    return data;
  });
}

/**
 * customers/redact: deletes the member (and with it their ledger), what we hold on their
 * orders, and earlier exports of their data.
 */
export function redactCustomer(db: Db, shop: string, request: { customerId: ShopifyId; ordersToRedact: ShopifyId[] }) {
  return inTransaction(db, async (tx) => {
    const customerId = request.customerId;
    const orders = await tx.orderSnapshot.findMany({
      where: { shopDomain: shop, OR: [{ customerId }, { orderId: { in: request.ordersToRedact } }] },
      select: { orderId: true },
    });
    const orderIds = orders.map((order) => order.orderId);
    await tx.orderRefund.deleteMany({ where: { shopDomain: shop, orderId: { in: orderIds } } });
    await tx.orderSnapshot.deleteMany({ where: { shopDomain: shop, orderId: { in: orderIds } } });
    await tx.dataRequest.deleteMany({ where: { shopDomain: shop, customerId } });
    const members = await tx.member.deleteMany({ where: { shopDomain: shop, customerId } });
    return { membersDeleted: members.count, ordersDeleted: orderIds.length };
  });
}

/** shop/redact: every row of the shop goes (the schema cascades from Shop), sessions too. */
export async function redactShop(db: Db, shop: string) {
  await inTransaction(db, async (tx) => {
    await tx.session.deleteMany({ where: { shop } });
    await tx.shop.deleteMany({ where: { domain: shop } });
  });
  forgetShop(shop);
}
