// `npm run verify [-- --shop <domain>] [-- --details <n>] [-- --json]`: audits the database
// DATABASE_URL names (as the server does): every balance against its ledger, every order and
// redemption against their ledger rows, idempotency keys (app/loyalty/verify.server.ts).
// Exit code 0 only when everything agrees; 1 on a mismatch; 2 when the audit could not run.
import { parseArgs } from "node:util";
import { createDb } from "../app/db.server";
import { verifyLedger } from "../app/loyalty/verify.server";
import { formatVerifyReport } from "../app/loyalty/verify-report";

const { values } = parseArgs({
  options: { shop: { type: "string" }, details: { type: "string", default: "20" }, json: { type: "boolean", default: false } },
});
const details = Number(values.details);
if (!Number.isInteger(details) || details < 1) {
  console.error(`--details must be a whole number of at least 1, not "${values.details}"`);
  process.exit(2);
}

const db = createDb();
try {
  const report = await verifyLedger(db, { shop: values.shop ?? null, detailLimit: details });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report, values.shop ?? null));
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  console.error(`verify could not run: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
