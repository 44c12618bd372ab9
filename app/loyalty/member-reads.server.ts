// A signed-in shopper's read of the storefront: the shop's stored programVersion (the shop
// cache's check, shop-cache.server.ts) and the member's row, as committed now.
//
// On SQLite these are two in-process statements of microseconds. On PostgreSQL each round trip
// costs the driver and the server far more than the statements do, and page views come in
// bursts: so the reads of one shop that arrive in the same turn of the event loop share one
// round trip, the version once and every member in one statement (`= ANY`). Each read gets what a
// round trip of its own, sent at that moment, would have given it: the version and its member as
// committed when the shared one ran, which is after the read arrived.
import type { SqlConnection } from "~/sql.server";
import { gatherThisTurn, row, rows, runSqlReads, type Row } from "~/sql-transaction.server";
import { MEMBER_COLUMNS } from "./ledger.server";
import { programVersionRead } from "./shop-cache.server";
import type { ShopifyId } from "./shopify-id";

/** The shop's programVersion row (undefined: no such shop) and the member's row (undefined: not enrolled). */
export type ShopVersionAndMember = [version: Row | undefined, member: Row | undefined];

/** More than this many reads of a shop in one turn go out in more than one round trip. */
const MOST_MEMBERS_PER_ROUND_TRIP = 200;

const memberByCustomerId = (shopDomain: string, customerId: ShopifyId) =>
  row(`SELECT ${MEMBER_COLUMNS} FROM "Member" WHERE "shopDomain" = ? AND "customerId" = ?`, [shopDomain, customerId]);

const membersByCustomerIds = (shopDomain: string, customerIds: string[]) =>
  rows(`SELECT ${MEMBER_COLUMNS} FROM "Member" WHERE "shopDomain" = ? AND "customerId" = ANY(?::bigint[])`, [shopDomain, customerIds]);

interface WaitingRead {
  customerId: ShopifyId;
  resolve: (found: ShopVersionAndMember) => void;
  reject: (error: unknown) => void;
}

/** Per connection, per shop: the reads waiting for this turn's round trip. */
const waitingReads = new WeakMap<SqlConnection, Map<string, WaitingRead[]>>();

export function readShopVersionAndMember(connection: SqlConnection, shopDomain: string, customerId: ShopifyId): Promise<ShopVersionAndMember> {
  if (connection.provider === "sqlite") {
    return runSqlReads(connection, [programVersionRead(shopDomain), memberByCustomerId(shopDomain, customerId)]) as Promise<ShopVersionAndMember>;
  }
  let byShop = waitingReads.get(connection);
  if (!byShop) waitingReads.set(connection, (byShop = new Map()));
  const gathering = byShop;
  return new Promise((resolve, reject) =>
    gatherThisTurn(gathering, shopDomain, { customerId, resolve, reject }, (waiting) => {
      for (let start = 0; start < waiting.length; start += MOST_MEMBERS_PER_ROUND_TRIP) {
        void readTogether(connection, shopDomain, waiting.slice(start, start + MOST_MEMBERS_PER_ROUND_TRIP));
      }
    }),
  );
}

async function readTogether(connection: SqlConnection, shopDomain: string, reads: WaitingRead[]): Promise<void> {
  try {
    const customerIds = [...new Set(reads.map((read) => String(read.customerId)))];
    const [version, members] = (await runSqlReads(connection, [programVersionRead(shopDomain), membersByCustomerIds(shopDomain, customerIds)])) as [Row | undefined, Row[]];
    const byCustomerId = new Map(members.map((member) => [String(member.customerId), member]));
    for (const read of reads) read.resolve([version, byCustomerId.get(String(read.customerId))]);
  } catch (error) {
    for (const read of reads) read.reject(error);
  }
}
