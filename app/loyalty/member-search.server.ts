// The members index query, through the driver (no Prisma query compilation): keyset pages on the
// (shop, balance, id) and (shop, lastActivityMs, id) indexes (with tierId after shop for the tier
// filter), searched on the (shop, emailKey), (shop, firstNameKey, lastNameKey) and
// (shop, lastNameKey) indexes; a search first counts its matches (bounded) to pick its plan.
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

/** Each way a search can match, as a condition on one indexed column (or two). */
function searchTerms(search: MemberSearch, params: unknown[][]): string[] {
  const term = (build: (own: unknown[]) => string) => {
    const own: unknown[] = [];
    const condition = build(own);
    params.push(own);
    return condition;
  };
  switch (search.kind) {
    case "all":
      return [];
    case "customerId":
      return [term((own) => (own.push(search.customerId), `"customerId" = ?`))];
    case "email":
      return [term((own) => prefixCondition("emailKey", search.prefix, own))];
    case "text": {
      const terms = [
        term((own) => prefixCondition("emailKey", search.prefix, own)),
        term((own) => prefixCondition("firstNameKey", search.prefix, own)),
        term((own) => prefixCondition("lastNameKey", search.prefix, own)),
      ];
      if (search.first !== null && search.rest !== null) {
        const { first, rest } = search;
        terms.push(term((own) => (own.push(first), `("firstNameKey" = ? AND ${prefixCondition("lastNameKey", rest, own)})`)));
      }
      return terms;
    }
  }
}

/**
 * Below this many matches a search reads its matches through the search indexes and sorts them;
 * above it, matches are dense enough that walking the sort index and testing each member finds a
 * page sooner (at 1,000 of 100,000, about 5,000 index entries for a page of 50). Each plan alone
 * is slow in the other's case (a rare name walks the whole sort index; "a" sorts a fifth of the
 * shop), so the count decides, itself bounded by LIMIT.
 */
export const SELECTIVE_SEARCH_ROWS = 1000;

export async function findMembers(connection: SqlConnection, shopDomain: string, query: MemberIndexQuery): Promise<MemberPage> {
  const termParams: unknown[][] = [];
  const terms = searchTerms(query.search, termParams);
  let selective = query.search.kind === "customerId";
  if (terms.length > 0 && !selective) {
    const counts = terms.map((condition) => `(SELECT COUNT(*) FROM (SELECT 1 FROM "Member" WHERE "shopDomain" = ? AND ${condition} LIMIT ?) AS matched)`);
    const [[counted]] = (await runSqlReads(connection, [
      rows(`SELECT ${counts.join(" + ")} AS "matches"`, termParams.flatMap((own) => [shopDomain, ...own, SELECTIVE_SEARCH_ROWS])),
    ])) as [[Row]];
    selective = Number(counted.matches) < SELECTIVE_SEARCH_ROWS;
  }

  const params: unknown[] = [];
  const where: string[] = [];
  if (terms.length > 0 && selective) {
    // The matches by their own indexes (one indexed range each), then sorted.
    where.push(`"id" IN (${terms.map((condition) => `SELECT "id" FROM "Member" WHERE "shopDomain" = ? AND ${condition}`).join(" UNION ")})`);
    termParams.forEach((own) => params.push(shopDomain, ...own));
  } else {
    where.push(`"shopDomain" = ?`);
    params.push(shopDomain);
    if (terms.length > 0) {
      where.push(`(${terms.join(" OR ")})`);
      termParams.forEach((own) => params.push(...own));
    }
  }
  if (query.tier.kind === "none") where.push(`"tierId" IS NULL`);
  if (query.tier.kind === "tier") {
    where.push(`"tierId" = ?`);
    params.push(query.tier.tierId);
  }
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
