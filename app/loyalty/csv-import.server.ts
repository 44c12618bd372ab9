// Points imported from a CSV file (csv-import.ts parses it): a dry run that says what an import
// would do and changes nothing, and the import itself, run by the `member-import:<id>` job in
// chunks. Each customer's imported balance is one `import` ledger row keyed `import:<customer
// id>`: the same file imported twice, or a customer found in two files, is credited once (the
// second time the row counts as already imported). Imported points are not "earned" here, so
// they do not lift a member's tier.
//
// Which customer a row is: Shopify's customer id when the file has one; otherwise its email,
// matched first against the members Tally knows (emails from Shopify's webhooks, compared as
// searchKey folds them), then asked of Shopify's Admin API (the caller's EmailLookup), and a
// customer found there becomes a member. An email that two customers share is not imported.
import type { Db } from "~/db.server";
import type { SqlConnection } from "~/sql.server";
import { nothing, row, runSqlTransactionWithRetries, type Row, type SqlTransaction } from "~/sql-transaction.server";
import { parseImport, type ImportLayout, type ImportRow, type ParsedImport, type RowError, type RowProblem } from "./csv-import";
import { searchKey } from "./member-search";
import { memberUpsert } from "./ledger.server";

export interface CustomerMatch {
  customerId: bigint;
  firstName: string | null;
  lastName: string | null;
}

/** Shopify's customers for these emails (keys lower case); throws when Shopify cannot answer. */
export type EmailLookup = (emails: string[]) => Promise<Map<string, CustomerMatch | "ambiguous">>;

export type ImportProblem = RowProblem | "ambiguous_email" | "customer_not_found" | "shopify_unavailable";
export interface ImportError {
  row: number;
  problem: ImportProblem;
}

/** Row errors kept for the merchant to read (the counts cover them all). */
export const KEPT_ERRORS = 50;
/** File rows per transaction (and per progress step). */
export const IMPORT_CHUNK_ROWS = 250;
/** Rows per database look-up. */
const LOOKUP_BATCH = 500;

export const importKey = (customerId: bigint) => `import:${customerId}`;

export interface ImportPreview {
  layout: ImportLayout;
  totalRows: number;
  /** Rows whose customer Tally knows and has not imported yet, and their points. */
  toImport: number;
  pointsToImport: number;
  /** Rows whose customer was credited by an earlier import: they would change nothing. */
  alreadyImported: number;
  /** Rows naming an email no member has: Shopify is asked when the import runs. */
  toLookUp: number;
  pointsToLookUp: number;
  errorCount: number;
  errors: ImportError[];
}

interface Resolution {
  /** Rows whose customer id is known (given, or a member's email). */
  known: { row: ImportRow; customerId: bigint }[];
  /** Rows whose email no member has. */
  unknownEmails: ImportRow[];
  errors: ImportError[];
}

async function inBatches<T, R>(items: readonly T[], work: (batch: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += LOOKUP_BATCH) out.push(...(await work(items.slice(start, start + LOOKUP_BATCH))));
  return out;
}

/** The rows' customers as far as Tally's members tell. */
async function resolveRows(db: Db, shopDomain: string, rows: readonly ImportRow[]): Promise<Resolution> {
  const byEmail = rows.filter((row) => row.customerId === null);
  const keys = [...new Set(byEmail.map((row) => searchKey(row.email)!))];
  const members = await inBatches(keys, (batch) => db.member.findMany({ where: { shopDomain, emailKey: { in: batch } }, select: { customerId: true, emailKey: true } }));
  const customersOf = new Map<string, bigint[]>();
  for (const member of members) customersOf.set(member.emailKey!, [...(customersOf.get(member.emailKey!) ?? []), member.customerId]);
  const resolution: Resolution = { known: [], unknownEmails: [], errors: [] };
  for (const row of rows) {
    if (row.customerId !== null) {
      resolution.known.push({ row, customerId: row.customerId });
      continue;
    }
    const customers = customersOf.get(searchKey(row.email)!) ?? [];
    if (customers.length > 1) resolution.errors.push({ row: row.row, problem: "ambiguous_email" });
    else if (customers.length === 1) resolution.known.push({ row, customerId: customers[0] });
    else resolution.unknownEmails.push(row);
  }
  return resolution;
}

async function importedAlready(db: Db, shopDomain: string, customerIds: readonly bigint[]): Promise<Set<string>> {
  const found = await inBatches(customerIds.map(importKey), (batch) =>
    db.ledgerEntry.findMany({ where: { shopDomain, idempotencyKey: { in: batch } }, select: { idempotencyKey: true } }),
  );
  return new Set(found.map((entry) => entry.idempotencyKey));
}

const byRow = (a: { row: number }, b: { row: number }) => a.row - b.row;

/** What importing the file would do; writes nothing. */
export async function previewImport(db: Db, shopDomain: string, parsed: Extract<ParsedImport, { ok: true }>): Promise<ImportPreview> {
  const resolution = await resolveRows(db, shopDomain, parsed.rows);
  const done = await importedAlready(db, shopDomain, resolution.known.map((known) => known.customerId));
  const fresh = resolution.known.filter((known) => !done.has(importKey(known.customerId)));
  const errors = [...parsed.errors, ...resolution.errors].sort(byRow);
  return {
    layout: parsed.layout,
    totalRows: parsed.totalRows,
    toImport: fresh.length,
    pointsToImport: fresh.reduce((sum, known) => sum + known.row.points, 0),
    alreadyImported: resolution.known.length - fresh.length,
    toLookUp: resolution.unknownEmails.length,
    pointsToLookUp: resolution.unknownEmails.reduce((sum, row) => sum + row.points, 0),
    errorCount: errors.length,
    errors: errors.slice(0, KEPT_ERRORS),
  };
}

/** Records the import (the file kept until it is done); the caller asks for its job. */
export async function createImport(db: Db, shopDomain: string, input: { fileName: string; content: string; parsed: Extract<ParsedImport, { ok: true }>; actor: string }) {
  return db.memberImport.create({
    data: { shopDomain, layout: input.parsed.layout, fileName: input.fileName.slice(0, 200), content: input.content, totalRows: input.parsed.totalRows, actor: input.actor },
    select: { id: true },
  });
}

export const importJobKey = (importId: number) => `member-import:${importId}`;

/**
 * Runs (or resumes) an import: chunk after chunk of file rows, each in one transaction with the
 * import's progress, so a process killed mid-import resumes after its last committed chunk and
 * nothing is credited twice. `beforeChunk` lets the job runner renew its lease.
 */
export async function runImport(
  db: Db,
  connection: SqlConnection,
  importId: number,
  lookup: EmailLookup | null,
  beforeChunk: () => Promise<void> = async () => {},
): Promise<void> {
  const run = await db.memberImport.findUnique({ where: { id: importId } });
  if (!run || run.status !== "running") return;
  const parsed = parseImport(run.content, run.layout as ImportLayout);
  if (!parsed.ok) {
    await db.memberImport.update({ where: { id: importId }, data: { status: "failed", content: "", finishedAt: new Date(), errors: JSON.stringify([{ row: 1, problem: parsed.problem }]) } });
    return;
  }
  const kept: ImportError[] = JSON.parse(run.errors) as ImportError[];
  for (let start = run.processedRows; start < parsed.totalRows; start += IMPORT_CHUNK_ROWS) {
    await beforeChunk();
    const end = Math.min(start + IMPORT_CHUNK_ROWS, parsed.totalRows);
    // File rows start at 2 (the header is row 1).
    const inChunk = ({ row }: { row: number }) => row - 2 >= start && row - 2 < end;
    const rows = parsed.rows.filter(inChunk);
    const errors: ImportError[] = parsed.errors.filter(inChunk);
    const resolution = await resolveRows(db, run.shopDomain, rows);
    errors.push(...resolution.errors);
    const credits: { row: ImportRow; customer: CustomerMatch | null; customerId: bigint }[] = resolution.known.map((known) => ({ ...known, customer: null }));
    if (resolution.unknownEmails.length > 0) {
      const found = lookup ? await lookup(resolution.unknownEmails.map((row) => row.email!)).catch(() => null) : null;
      for (const row of resolution.unknownEmails) {
        const match = found?.get(row.email!.toLowerCase());
        if (!found) errors.push({ row: row.row, problem: "shopify_unavailable" });
        else if (match === "ambiguous") errors.push({ row: row.row, problem: "ambiguous_email" });
        else if (!match) errors.push({ row: row.row, problem: "customer_not_found" });
        else credits.push({ row, customer: match, customerId: match.customerId });
      }
    }
    const newErrors = errors.sort(byRow).slice(0, Math.max(0, KEPT_ERRORS - kept.length));
    // A customer named twice in one chunk (an id, and their email) is credited once.
    const unique = [...new Map(credits.map((credit) => [credit.customerId, credit])).values()];
    try {
      await runSqlTransactionWithRetries(connection, () =>
        importChunk({ run, importId, credits: unique, start, end, errorCount: errors.length, errors: [...kept, ...newErrors], now: new Date() }),
      );
    } catch (error) {
      // Another runner has moved the import on: it finishes it.
      if (error instanceof ImportMovedOn) return;
      throw error;
    }
    kept.push(...newErrors);
  }
  await db.memberImport.update({ where: { id: importId }, data: { status: "done", content: "", finishedAt: new Date() } });
}

interface ChunkInput {
  run: { shopDomain: string; layout: string; fileName: string; actor: string };
  importId: number;
  credits: { row: ImportRow; customer: CustomerMatch | null; customerId: bigint }[];
  start: number;
  end: number;
  errorCount: number;
  errors: ImportError[];
  now: Date;
}

/**
 * One chunk's credits and the import's progress, in one transaction of plain SQL (as the order
 * ledger's, app/loyalty/ledger.server.ts: Prisma's interactive transactions cost tens of
 * milliseconds a row here). It does what writeBalanceChange does for each row: the ledger row
 * under its key (a key already taken credits nothing), the balance, the storefront summary
 * version and last activity. The progress update names the rows it expects to follow: a second
 * runner of the same import (a lost lease) finds them gone and rolls its chunk back.
 */
function* importChunk({ run, importId, credits, start, end, errorCount, errors, now }: ChunkInput): SqlTransaction<number> {
  const members = (yield credits.map((credit) =>
    memberUpsert(run.shopDomain, credit.customerId, {
      email: credit.row.email,
      firstName: credit.row.firstName ?? credit.customer?.firstName ?? null,
      lastName: credit.row.lastName ?? credit.customer?.lastName ?? null,
    }, now),
  )) as Row[];
  const inserted = (yield credits.map((credit, i) =>
    row(
      `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "note", "idempotencyKey", "createdAt")
       VALUES (?, ?, ?, 'import', 'available', 'import', ?, ?, ?, ?, ?) ON CONFLICT ("shopDomain", "idempotencyKey") DO NOTHING RETURNING "id"`,
      [run.shopDomain, Number(members[i].id), credit.row.points, `${importId}:${credit.row.row}`, run.actor, `${run.layout} import, ${run.fileName} row ${credit.row.row}`, importKey(credit.customerId), now],
    ),
  )) as (Row | undefined)[];
  const credited = credits.flatMap((credit, i) => (inserted[i] ? [{ memberId: Number(members[i].id), points: credit.row.points }] : []));
  const points = credited.reduce((sum, credit) => sum + credit.points, 0);
  const [progress] = (yield [
    row(
      `UPDATE "MemberImport" SET "processedRows" = ?, "importedRows" = "importedRows" + ?, "pointsImported" = "pointsImported" + ?, "skippedRows" = "skippedRows" + ?,
         "errorRows" = "errorRows" + ?, "errors" = ?, "updatedAt" = ? WHERE "id" = ? AND "processedRows" = ? RETURNING "id"`,
      [end, credited.length, points, credits.length - credited.length, errorCount, JSON.stringify(errors), now, importId, start],
    ),
    ...credited.map((credit) =>
      nothing(`UPDATE "Member" SET "balance" = "balance" + ?, "summaryVersion" = "summaryVersion" + 1, "lastActivityMs" = ?, "updatedAt" = ? WHERE "id" = ?`, [
        credit.points,
        now.getTime(),
        now,
        credit.memberId,
      ]),
    ),
  ]) as (Row | undefined)[];
  if (!progress) throw new ImportMovedOn();
  return credited.length;
}

/** Thrown to roll a chunk back when another runner has already committed it. */
class ImportMovedOn extends Error {}

export type { RowError };
