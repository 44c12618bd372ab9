// `npm run setup`: creates (if needed) and migrates the database DATABASE_URL names
// (default: the embedded SQLite file), with the migrations folder of that database.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { databaseTarget } from "../app/database-url";
import { prismaCli } from "./lib/prisma-cli";
import { enableWriteAheadLog } from "../app/db.server";

const target = databaseTarget();
if (target.provider === "sqlite") {
  mkdirSync(path.dirname(target.filePath), { recursive: true });
  enableWriteAheadLog(target.filePath);
}
execFileSync(process.execPath, [prismaCli, "migrate", "deploy"], { stdio: "inherit", env: process.env });
console.log(`Database ready: ${target.provider === "sqlite" ? target.filePath : redact(target.url)}`);

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@");
}
