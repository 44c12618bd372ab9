// The members index query: one statement through the driver (no Prisma query compilation),
// keyset-paginated on the (shop, balance, id) and (shop, lastActivityMs, id) indexes, searched
// on the (shop, emailKey), (shop, firstNameKey, lastNameKey) and (shop, lastNameKey) indexes.
// A page never uses OFFSET: it starts after the previous page's last (sort value, id), so it
// costs the same on page 1 and page 2,000 and stays stable while balances change.
import type { SqlConnection } from "~/sql.server";
import { rows, runSqlReads, type Row } from "~/sql-transaction.server";
import { likePrefixPattern, prefixUpperBound, type MemberCursor, type MemberIndexQuery, type MemberSearch } from "./member-search";

export interface MemberListing {
  id: number;
  customerId: bigint;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  balance: number;
  pendingBalance: number;
  tierId: number | null;
  lastActivityMs: number;
}

export interface MemberPage {
  members: MemberListing[];
  /** The cursor of the next page, or null on the last one. */
  next: MemberCursor | null;
}

/** `column` starts with `prefix`: an index range, and the exact test for any collation. */
function prefixCondition(column: string, prefix: string, params: unknown[]): string {
  params.push(prefix, prefixUpperBound(prefix), likePrefixPattern(prefix));
  return `("${column}" >= ? AND "${column}" < ? AND "${column}" LIKE ? ESCAPE '\\')`;
}

function searchCondition(search: MemberSearch, params: unknown[]): string | null {
  switch (search.kind) {
    case "all":
      return null;
    case "customerId":
      params.push(search.customerId);
      return `"customerId" = ?`;
    case "email":
      return prefixCondition("emailKey", search.prefix, params);
    case "text": {
      const parts = [prefixCondition("emailKey", search.prefix, params), prefixCondition("firstNameKey", search.prefix, params), prefixCondition("lastNameKey", search.prefix, params)];
      if (search.first !== null && search.rest !== null) {
        params.push(search.first);
        parts.push(`("firstNameKey" = ? AND ${prefixCondition("lastNameKey", search.rest, params)})`);
      }
      return `(${parts.join(" OR ")})`;
    }
  }
}

export async function findMembers(connection: SqlConnection, shopDomain: string, query: MemberIndexQuery): Promise<MemberPage> {
  const params: unknown[] = [shopDomain];
  const where = [`"shopDomain" = ?`];
  if (query.tier.kind === "none") where.push(`"tierId" IS NULL`);
  if (query.tier.kind === "tier") {
    where.push(`"tierId" = ?`);
    params.push(query.tier.tierId);
  }
  const search = searchCondition(query.search, params);
  if (search) where.push(search);
  const column = query.sort.startsWith("balance") ? "balance" : "lastActivityMs";
  const descending = query.sort.endsWith("desc");
  if (query.after) {
    where.push(`("${column}", "id") ${descending ? "<" : ">"} (?, ?)`);
    params.push(query.after.value, query.after.id);
  }
  const direction = descending ? "DESC" : "ASC";
  params.push(query.pageSize + 1);
  const [found] = (await runSqlReads(connection, [
    rows(
      `SELECT "id", "customerId", "email", "firstName", "lastName", "balance", "pendingBalance", "tierId", "lastActivityMs" FROM "Member"
       WHERE ${where.join(" AND ")} ORDER BY "${column}" ${direction}, "id" ${direction} LIMIT ?`,
      params,
    ),
  ])) as [Row[]];
  const members = found.slice(0, query.pageSize).map(listingFromRow);
  const last = members.at(-1);
  const next = found.length > query.pageSize && last ? { value: BigInt(column === "balance" ? last.balance : last.lastActivityMs), id: last.id } : null;
  return { members, next };
}

function listingFromRow(raw: Row): MemberListing {
  return {
    id: Number(raw.id),
    customerId: BigInt(raw.customerId as bigint),
    email: (raw.email as string | null) ?? null,
    firstName: (raw.firstName as string | null) ?? null,
    lastName: (raw.lastName as string | null) ?? null,
    balance: Number(raw.balance),
    pendingBalance: Number(raw.pendingBalance),
    tierId: raw.tierId === null || raw.tierId === undefined ? null : Number(raw.tierId),
    lastActivityMs: Number(raw.lastActivityMs),
  };
}
