// The exports the customers/data_request webhook stored (app/loyalty/privacy.server.ts), as the
// admin's Privacy page lists and hands them to the merchant: always one shop's only.
import type { Db } from "~/db.server";
import type { CustomerExport } from "./privacy.server";

export const DATA_REQUESTS_PER_PAGE = 50;

export interface DataRequestSummary {
  id: number;
  /** Shopify's ids as text: 64-bit, shown digit for digit. */
  customerId: string;
  requestId: string | null;
  receivedAt: string;
}

/** Newest first; `before` (an id) pages back. */
export async function listDataRequests(db: Db, shopDomain: string, before: number | null): Promise<{ requests: DataRequestSummary[]; olderFrom: number | null }> {
  const rows = await db.dataRequest.findMany({
    where: { shopDomain, ...(before === null ? {} : { id: { lt: before } }) },
    orderBy: { id: "desc" },
    take: DATA_REQUESTS_PER_PAGE + 1,
    select: { id: true, customerId: true, requestId: true, createdAt: true },
  });
  const page = rows.slice(0, DATA_REQUESTS_PER_PAGE);
  return {
    requests: page.map((row) => ({ id: row.id, customerId: String(row.customerId), requestId: row.requestId === null ? null : String(row.requestId), receivedAt: row.createdAt.toISOString() })),
    olderFrom: rows.length > DATA_REQUESTS_PER_PAGE ? page[page.length - 1].id : null,
  };
}

/** The shop's export with this id; null for an unknown id or another shop's. */
export async function findDataRequest(db: Db, shopDomain: string, id: number): Promise<(DataRequestSummary & { data: CustomerExport; json: string }) | null> {
  const row = await db.dataRequest.findFirst({ where: { id, shopDomain } });
  if (!row) return null;
  return {
    id: row.id,
    customerId: String(row.customerId),
    requestId: row.requestId === null ? null : String(row.requestId),
    receivedAt: row.createdAt.toISOString(),
    data: JSON.parse(row.data) as CustomerExport,
    json: row.data,
  };
}

/** A data request's id from the address: a positive whole number, else null. */
export function dataRequestId(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}

const json = JSON as unknown as { rawJSON(text: string): unknown; parse(text: string, reviver: (key: string, value: unknown, context?: { source?: string }) => unknown): unknown };

/** The export indented for reading, numbers past 2^53 kept digit for digit. */
export function prettyExport(text: string): string {
  const parsed = json.parse(text, (_key, value, context) => (typeof value === "number" && !Number.isSafeInteger(value) && context?.source ? json.rawJSON(context.source) : value));
  return JSON.stringify(parsed, null, 2);
}
