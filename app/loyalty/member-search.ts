// The admin's members index, as plain values: what a merchant typed becomes a search (an exact
// customer id, or prefixes of email and names), and a page's last row becomes the cursor of the
// next. The queries themselves are in member-search.server.ts.
import { z } from "zod";

/**
 * How names and emails are compared: trimmed, accents removed, lower case ("Élodie " → "elodie").
 * Stored beside each field (Member.emailKey, …) and applied to what is typed, so one indexed
 * range finds every spelling on both databases.
 */
export function searchKey(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const key = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .trim()
    .replace(/\s+/g, " ");
  return key === "" ? null : key;
}

export type MemberSearch =
  | { kind: "all" }
  | { kind: "customerId"; customerId: bigint }
  | { kind: "email"; prefix: string }
  /** A name or email prefix; `first`/`rest` when it has a space ("ada love" → first name "ada", last name "love…"). */
  | { kind: "text"; prefix: string; first: string | null; rest: string | null };

const MAX_CUSTOMER_ID = 2n ** 63n - 1n;

/** What the merchant typed: digits (or a customer GID) are a customer id, an @ an email. */
export function parseMemberSearch(input: string | null | undefined): MemberSearch {
  const typed = (input ?? "").trim().slice(0, 200);
  if (typed === "") return { kind: "all" };
  const id = /^(?:gid:\/\/shopify\/Customer\/)?(\d{1,19})$/.exec(typed)?.[1];
  if (id !== undefined && BigInt(id) <= MAX_CUSTOMER_ID) return { kind: "customerId", customerId: BigInt(id) };
  const prefix = searchKey(typed);
  if (prefix === null) return { kind: "all" };
  if (prefix.includes("@")) return { kind: "email", prefix };
  const space = prefix.indexOf(" ");
  return space < 0 ? { kind: "text", prefix, first: null, rest: null } : { kind: "text", prefix, first: prefix.slice(0, space), rest: prefix.slice(space + 1) };
}

/**
 * The end of a prefix range: every key starting with `prefix` sorts before it in code point
 * order (SQLite's BINARY, PostgreSQL's C collations). Other collations are covered by the LIKE
 * that the query adds (member-search.server.ts).
 */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/** `prefix%` for LIKE with `\` as escape character, the prefix's own % _ \ taken literally. */
export function likePrefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const MEMBER_SORTS = ["balance_desc", "balance_asc", "activity_desc", "activity_asc"] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

/** `?tier=` : a tier id, "none" (no tier), or absent (every member). */
export type TierFilter = { kind: "any" } | { kind: "none" } | { kind: "tier"; tierId: number };

export interface MemberIndexQuery {
  search: MemberSearch;
  sort: MemberSort;
  tier: TierFilter;
  /** Where the page starts: after this row of the sort (exclusive). */
  after: MemberCursor | null;
  pageSize: number;
}

/** The sort key of a row: its balance or last activity, and its id for ties. */
export interface MemberCursor {
  value: bigint;
  id: number;
}

const cursorSchema = z.tuple([z.string().regex(/^-?\d{1,19}$/), z.number().int().positive()]);

export function encodeCursor(cursor: MemberCursor): string {
  return Buffer.from(JSON.stringify([String(cursor.value), cursor.id])).toString("base64url");
}

/** null for anything that is not a cursor this module wrote (a tampered or stale link starts over). */
export function decodeCursor(text: string | null | undefined): MemberCursor | null {
  if (!text || text.length > 200) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? { value: BigInt(parsed.data[0]), id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

export const MEMBER_PAGE_SIZE = 50;

/** The index's query from the page's URL parameters; anything unknown falls back to the default. */
export function memberIndexQuery(params: URLSearchParams): MemberIndexQuery {
  const sort = (MEMBER_SORTS as readonly string[]).includes(params.get("sort") ?? "") ? (params.get("sort") as MemberSort) : "balance_desc";
  const tierParam = params.get("tier");
  const tier: TierFilter =
    tierParam === "none" ? { kind: "none" } : tierParam && /^\d{1,9}$/.test(tierParam) ? { kind: "tier", tierId: Number(tierParam) } : { kind: "any" };
  return { search: parseMemberSearch(params.get("q")), sort, tier, after: decodeCursor(params.get("after")), pageSize: MEMBER_PAGE_SIZE };
}
