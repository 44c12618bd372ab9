// Which database DATABASE_URL names. Shared by the app, prisma.config.ts and the scripts, so
// every entry point agrees: `file:` → SQLite, `postgres://`/`postgresql://` → PostgreSQL,
// unset → the embedded SQLite file in the project.
import path from "node:path";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export type DatabaseTarget =
  | { provider: "sqlite"; url: string; filePath: string }
  | { provider: "postgresql"; url: string };

export function databaseTarget(url: string | undefined = process.env.DATABASE_URL): DatabaseTarget {
  const value = url && url.trim() !== "" ? url.trim() : DEFAULT_DATABASE_URL;
  if (value.startsWith("file:")) {
    const file = value.slice("file:".length);
    const filePath = file === ":memory:" ? file : path.resolve(process.cwd(), file);
    return { provider: "sqlite", url: value, filePath };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    return { provider: "postgresql", url: value };
  }
  throw new Error(
    `DATABASE_URL must start with "file:" (SQLite) or "postgres://"/"postgresql://" (PostgreSQL); got "${value.split(":")[0]}:…"`,
  );
}
