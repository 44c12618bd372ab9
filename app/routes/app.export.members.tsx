// GET /app/export/members: the shop's members as a CSV download, streamed page by page
// (app/loyalty/csv-export.server.ts), so any size is served in flat memory.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { memberCsvStream } from "~/loyalty/csv-export.server";
import { authenticate } from "~/shopify.server";
import { sql } from "~/sql.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(memberCsvStream(sql(), session.shop), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="tally-members-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
