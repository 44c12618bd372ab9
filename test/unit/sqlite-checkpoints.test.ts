// The write-ahead log is copied into the database file by the checkpoint thread, not by commits.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startSqliteCheckpoints, type SqliteCheckpoints } from "~/sqlite-checkpoints.server";

const folders: string[] = [];
const running: SqliteCheckpoints[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((checkpoints) => checkpoints.stop()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A WAL database whose own connection never checkpoints, with `rows` rows of 2 KB written. */
function databaseWithLog(rows: number) {
  const folder = mkdtempSync(path.join(tmpdir(), "tally-checkpoints-"));
  folders.push(folder);
  const file = path.join(folder, "tally.sqlite");
  const database = new Database(file);
  database.pragma("journal_mode = WAL");
  database.pragma("wal_autocheckpoint = 0");
  database.exec(`CREATE TABLE "Row" ("id" INTEGER PRIMARY KEY, "text" TEXT)`);
  const insert = database.prepare(`INSERT INTO "Row" ("text") VALUES (?)`);
  for (let i = 0; i < rows; i++) insert.run("x".repeat(2000));
  return { file, database, fileBytes: () => statSync(file).size };
}

const until = async (condition: () => boolean, timeoutMs = 5000) => {
  const started = Date.now();
  while (!condition() && Date.now() - started < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
};

describe("startSqliteCheckpoints", () => {
  it("copies the log into the database file from its thread while the writer goes on", async () => {
    const { file, database, fileBytes } = databaseWithLog(2000);
    const before = fileBytes();
    const errors: string[] = [];
    running.push(startSqliteCheckpoints(file, (message) => errors.push(message), 20));
    // The pages written so far reach the database file; the writer's connection never checkpointed.
    expect(await until(() => fileBytes() > before + 3_000_000)).toBe(true);
    const middle = fileBytes();
    const insert = database.prepare(`INSERT INTO "Row" ("text") VALUES (?)`);
    for (let i = 0; i < 1000; i++) insert.run("y".repeat(2000));
    expect(await until(() => fileBytes() > middle + 1_500_000)).toBe(true);
    expect(database.prepare(`SELECT COUNT(*) AS "count" FROM "Row"`).get()).toEqual({ count: 3000 });
    expect(errors).toEqual([]);
    database.close();
  });

  it("stops: a last checkpoint, then the thread ends", async () => {
    const { file, database, fileBytes } = databaseWithLog(0);
    const checkpoints = startSqliteCheckpoints(file, () => {}, 60_000);
    const insert = database.prepare(`INSERT INTO "Row" ("text") VALUES (?)`);
    for (let i = 0; i < 500; i++) insert.run("z".repeat(2000));
    const before = fileBytes();
    await checkpoints.stop();
    expect(fileBytes()).toBeGreaterThan(before + 900_000);
    database.close();
  });

  it("reports what it cannot do, and goes on", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "tally-checkpoints-"));
    folders.push(folder);
    const errors: string[] = [];
    // Not a database: opening it succeeds, every checkpoint fails.
    const file = path.join(folder, "not-a-database");
    writeFileSync(file, "x".repeat(4096));
    running.push(startSqliteCheckpoints(file, (message) => errors.push(message), 20));
    expect(await until(() => errors.length >= 2)).toBe(true);
    expect(errors[0]).toMatch(/not a database|file is not a database/i);
  });
});
