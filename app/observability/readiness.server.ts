// GET /readyz: can this process serve? The database answers, and every migration this release
// ships (prisma/migrations, or prisma/postgres/migrations) is applied, as `npm run setup`
// (prisma migrate deploy) records them in _prisma_migrations. Checked on every call (a
// database can go away), except the migrations, which stay applied once they are.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Db } from "~/db.server";
import type { DatabaseTarget } from "~/database-url";

export type Readiness = { ready: true } | { ready: false; reason: string };

const CHECK_TIMEOUT_MS = 2000;
let migrationsConfirmed = false;

export async function readiness(db: Db, target: DatabaseTarget, root = process.cwd()): Promise<Readiness> {
  try {
    return await withTimeout(check(db, target, root), CHECK_TIMEOUT_MS);
  } catch (error) {
    return { ready: false, reason: `the database is not reachable: ${(error as Error).message}` };
  }
}

async function check(db: Db, target: DatabaseTarget, root: string): Promise<Readiness> {
  await db.$queryRawUnsafe("SELECT 1");
  if (migrationsConfirmed) return { ready: true };
  let applied: { migration_name: string; finished_at: unknown; rolled_back_at: unknown }[];
  try {
    applied = await db.$queryRawUnsafe(`SELECT "migration_name", "finished_at", "rolled_back_at" FROM "_prisma_migrations"`);
  } catch {
    return { ready: false, reason: "no migrations have been applied (run `npm run setup`)" };
  }
  const finished = new Set(applied.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => row.migration_name));
  const failed = applied.filter((row) => row.finished_at === null && row.rolled_back_at === null).map((row) => row.migration_name);
  if (failed.length > 0) return { ready: false, reason: `migration ${failed[0]} started but did not finish` };
  const missing = shippedMigrations(target, root).filter((name) => !finished.has(name));
  if (missing.length > 0) return { ready: false, reason: `${missing.length} migration(s) not applied, first ${missing[0]} (run \`npm run setup\`)` };
  migrationsConfirmed = true;
  return { ready: true };
}

/** The migrations this release ships for the database in use (none when the folder is not deployed). */
export function shippedMigrations(target: DatabaseTarget, root = process.cwd()): string[] {
  const folder = path.join(root, target.provider === "sqlite" ? "prisma/migrations" : "prisma/postgres/migrations");
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((name) => /^\d+_/.test(name)).sort();
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
