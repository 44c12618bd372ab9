// Prisma clients for the bench's own queries (the baseline and the checks), made with the app's
// createDb so they are configured exactly as the server's. app/db.server.ts also builds a default
// client from DATABASE_URL when first imported; pointing it at an in-memory SQLite database for
// that moment keeps it from opening the project's dev database. It is never used.
import type { Db } from "../../app/db.server";

type DbModule = typeof import("../../app/db.server");
type UrlModule = typeof import("../../app/database-url");

let modules: Promise<[DbModule, UrlModule]> | undefined;

function loadModules(): Promise<[DbModule, UrlModule]> {
  modules ??= (async () => {
    const previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = "file::memory:";
    try {
      return await Promise.all([import("../../app/db.server"), import("../../app/database-url")]);
    } finally {
      if (previous === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previous;
    }
  })();
  return modules;
}

export type { Db };

/** A client for `url`, disconnected after `work` whatever happens. */
export async function withDb<T>(url: string, work: (db: Db) => Promise<T>): Promise<T> {
  const [{ createDb }, { databaseTarget }] = await loadModules();
  const db = createDb(databaseTarget(url));
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
  }
}
