// CSV exports of a shop's members and ledger, streamed: a ReadableStream that reads the next
// keyset page (never OFFSET) only when the consumer asks for more, and turns each page into
// CSV text with csv-stringify. Memory stays at one page whatever the shop's size.
import { stringify } from "csv-stringify/sync";
import type { SqlConnection } from "~/sql.server";
import { rows, runSqlReads, storedMs, type Row } from "~/sql-transaction.server";

/** Rows read per database round trip. */
export const EXPORT_PAGE_ROWS = 2000;

export const MEMBER_CSV_COLUMNS = ["customer_id", "email", "first_name", "last_name", "balance", "pending_balance", "lifetime_earned", "tier", "referral_code", "last_activity_at", "joined_at"] as const;
export const LEDGER_CSV_COLUMNS = ["entry_id", "customer_id", "created_at", "delta", "kind", "status", "source_type", "source_id", "actor", "note"] as const;

/**
 * Text a spreadsheet would run as a formula (= + - @, tab, carriage return first) is prefixed with
 * an apostrophe (OWASP's advice against CSV injection): names, emails and notes are typed by
 * shoppers and staff.
 */
export function spreadsheetSafe(text: string | null | undefined): string {
  if (text === null || text === undefined) return "";
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function isoOrEmpty(value: unknown): string {
  const ms = storedMs(value);
  return ms === null ? "" : new Date(ms).toISOString();
}

/** A stream of CSV text: the header, then each page `nextPage` gives until it gives none. */
function csvStream(header: readonly string[], nextPage: () => Promise<unknown[][]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(stringify([header as unknown as string[]])));
          return;
        }
        const records = await nextPage();
        if (records.length === 0) controller.close();
        else controller.enqueue(encoder.encode(stringify(records)));
      },
    },
    // One page in flight at a time: the next is read when the consumer has taken this one.
    { highWaterMark: 1 },
  );
}

/** Every member of the shop, in id order. */
export function memberCsvStream(connection: SqlConnection, shopDomain: string, pageRows = EXPORT_PAGE_ROWS): ReadableStream<Uint8Array> {
  let afterId = 0;
  let tierNames: Map<number, string> | null = null;
  return csvStream(MEMBER_CSV_COLUMNS, async () => {
    if (!tierNames) {
      const [tiers] = (await runSqlReads(connection, [rows(`SELECT "id", "name" FROM "Tier" WHERE "shopDomain" = ?`, [shopDomain])])) as [Row[]];
      tierNames = new Map(tiers.map((tier) => [Number(tier.id), String(tier.name)]));
    }
    const [page] = (await runSqlReads(connection, [
      rows(
        `SELECT "id", "customerId", "email", "firstName", "lastName", "balance", "pendingBalance", "lifetimeEarned", "tierId", "referralCode", "lastActivityMs", "createdAt"
         FROM "Member" WHERE "shopDomain" = ? AND "id" > ? ORDER BY "id" LIMIT ?`,
        [shopDomain, afterId, pageRows],
      ),
    ])) as [Row[]];
    if (page.length > 0) afterId = Number(page.at(-1)!.id);
    const names = tierNames;
    return page.map((member) => [
      String(member.customerId),
      spreadsheetSafe(member.email as string | null),
      spreadsheetSafe(member.firstName as string | null),
      spreadsheetSafe(member.lastName as string | null),
      String(member.balance),
      String(member.pendingBalance),
      String(member.lifetimeEarned),
      member.tierId === null || member.tierId === undefined ? "" : spreadsheetSafe(names.get(Number(member.tierId)) ?? ""),
      String(member.referralCode),
      Number(member.lastActivityMs) > 0 ? new Date(Number(member.lastActivityMs)).toISOString() : "",
      isoOrEmpty(member.createdAt),
    ]);
  });
}

/**
 * Every ledger row of the shop, member by member (each member's rows in order): pages of members
 * by id, and their rows through the (memberId, id) index, which every ledger write keeps anyway.
 */
export function ledgerCsvStream(connection: SqlConnection, shopDomain: string, pageRows = EXPORT_PAGE_ROWS): ReadableStream<Uint8Array> {
  let afterMemberId = 0;
  // Members whose rows are still to be read, with the last entry id read of the first.
  let members: { id: number; customerId: string }[] = [];
  let afterEntryId = 0;
  const customerIds = new Map<number, string>();
  return csvStream(LEDGER_CSV_COLUMNS, async () => {
    for (;;) {
      if (members.length === 0) {
        const [page] = (await runSqlReads(connection, [
          rows(`SELECT "id", "customerId" FROM "Member" WHERE "shopDomain" = ? AND "id" > ? ORDER BY "id" LIMIT ?`, [shopDomain, afterMemberId, pageRows]),
        ])) as [Row[]];
        if (page.length === 0) return [];
        members = page.map((member) => ({ id: Number(member.id), customerId: String(member.customerId) }));
        customerIds.clear();
        for (const member of members) customerIds.set(member.id, member.customerId);
        afterMemberId = members.at(-1)!.id;
        afterEntryId = 0;
      }
      // The rows of the next members, up to a page, resuming within the first member.
      const ids = members.map((member) => member.id);
      const [entries] = (await runSqlReads(connection, [
        rows(
          `SELECT "id", "memberId", "createdAt", "delta", "kind", "status", "sourceType", "sourceId", "actor", "note" FROM "LedgerEntry"
           WHERE "memberId" IN (${ids.map(() => "?").join(", ")}) AND ("memberId", "id") > (?, ?)
           ORDER BY "memberId", "id" LIMIT ?`,
          [...ids, ids[0], afterEntryId, pageRows],
        ),
      ])) as [Row[]];
      if (entries.length < pageRows) {
        members = [];
      } else {
        const last = entries.at(-1)!;
        members = members.filter((member) => member.id >= Number(last.memberId));
        afterEntryId = Number(last.id);
      }
      if (entries.length === 0) continue;
      return entries.map((entry) => [
        String(entry.id),
        customerIds.get(Number(entry.memberId)) ?? "",
        isoOrEmpty(entry.createdAt),
        String(entry.delta),
        String(entry.kind),
        String(entry.status),
        String(entry.sourceType),
        spreadsheetSafe(String(entry.sourceId)),
        spreadsheetSafe(String(entry.actor)),
        spreadsheetSafe(entry.note as string | null),
      ]);
    }
  });
}
