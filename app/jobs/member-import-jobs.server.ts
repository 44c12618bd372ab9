// `member-import:<id>`: runs a points import from a CSV file (app/loyalty/csv-import.server.ts)
// chunk by chunk, renewing the lease between chunks; a process killed mid-import leaves the
// job to another, which resumes after the last committed chunk. Emails no member has are
// looked up in Shopify through the shop's offline session.
import { runImport } from "~/loyalty/csv-import.server";
import { adminGraphqlFor } from "~/shopify/admin-client.server";
import { shopifyEmailLookup } from "~/shopify/customer-lookup.server";
import { sql } from "~/sql.server";
import type { JobHandler } from "./runner.server";

export const MEMBER_IMPORT = "member-import";

export const memberImportJobs: Record<string, JobHandler> = {
  [MEMBER_IMPORT]: async ({ db, job, keepLease }) => {
    const importId = Number(job.key.slice(`${MEMBER_IMPORT}:`.length));
    if (!Number.isInteger(importId) || importId <= 0) return;
    const shop = job.shopDomain;
    const graphql = shop ? await adminGraphqlFor(shop) : null;
    await runImport(db, sql(), importId, graphql ? shopifyEmailLookup(graphql) : null, keepLease);
  },
};
