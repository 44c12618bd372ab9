// One transaction per business event. Uniqueness and row locks in the database carry
// correctness; when two deliveries race (both create the same member, a write conflict, SQLite
// busy in another process), the loser's transaction rolls back whole and runs again.
import { isSqlite, type Db, type Prisma } from "~/db.server";

const MAX_ATTEMPTS = 8;

/**
 * On SQLite, the first statement of every transaction: a write that touches no row but takes the
 * database's write lock (waiting for it up to the busy timeout), as BEGIN IMMEDIATE would; Prisma
 * begins transactions deferred. A deferred transaction reads from a snapshot and fails to
 * upgrade to writing (SQLITE_BUSY_SNAPSHOT) whenever another process committed meanwhile,
 * which under the webhook load is nearly always: a referral credit retried 8 times and failed.
 */
const TAKE_SQLITE_WRITE_LOCK = `UPDATE "Shop" SET "domain" = "domain" WHERE 0`;

export async function inTransaction<T>(db: Db, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  const transaction = isSqlite(db)
    ? async (tx: Prisma.TransactionClient) => {
        await tx.$executeRawUnsafe(TAKE_SQLITE_WRITE_LOCK);
        return work(tx);
      }
    : work;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(transaction, { maxWait: 10_000, timeout: 20_000 });
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

const RETRYABLE_CODES = new Set([
  "P2002", // unique constraint: a concurrent delivery created the same row first
  "P2034", // write conflict or deadlock
  // SQLite busy: another process committed after this transaction read, so it may not upgrade
  // to writing (WAL); Prisma's SQLite adapter reports that as a timeout.
  "P1008",
  "40001", // PostgreSQL serialization_failure
  "40P01", // PostgreSQL deadlock_detected
]);

export function isRetryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && RETRYABLE_CODES.has(code)) return true;
  const message = String((error as { message?: unknown }).message ?? "");
  return /SQLITE_BUSY|database is locked|deadlock detected|could not serialize/i.test(message);
}
