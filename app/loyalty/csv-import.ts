// Points balances from another loyalty app's CSV export, as plain values: which layout a file
// is (from its header), and each row as a customer (Shopify customer id or email) and points, or
// the reason it cannot be imported. Parsing is csv-parse's (quotes, embedded commas and line
// breaks, a byte order mark, CRLF).
//
// Layouts, from the vendors' own help pages:
// - Smile.io: its customer export and the API's customer object (dev.smile.io, "Customer")
//   carry `id` (Smile's own), `first_name`, `last_name`, `email`, `state`, `points_balance`;
//   its points import template (help.smile.io, "Import points via CSV file") is `email`,
//   `points`. Smile's own id is not Shopify's, so only the email identifies the customer.
// - LoyaltyLion: exports name the point states "approved", "pending", "spent", "lifetime"
//   (help.loyaltylion.com, "How points work"); approved points are those a customer can spend,
//   so they are the balance imported. Its customer export identifies a customer by the
//   platform's customer id ("merchant id" / "customer id", Shopify's for a Shopify store) and
//   email; column titles can be renamed in its export screen (help.loyaltylion.com, "Export"),
//   so the usual spellings are accepted.
// - Generic: `customer_id` (Shopify's numeric id or gid://shopify/Customer/…) or `email`, and
//   `points`.
import { parse } from "csv-parse/sync";

export const IMPORT_LAYOUTS = ["smile", "loyaltylion", "generic"] as const;
export type ImportLayout = (typeof IMPORT_LAYOUTS)[number];

/** Imported balances are capped per customer: a larger figure is a broken file, not a balance. */
export const MAX_IMPORTED_POINTS = 10_000_000;
/** Larger files are refused before parsing (about 200,000 rows of a typical export). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 250_000;

/** The columns read: who the customer is (either), their points, and their name if given. */
type Header = "customer_id" | "email" | "points" | "first_name" | "last_name";

/** Column titles as the vendors spell them, folded (lower case, spaces and dashes as underscores). */
const COLUMN_NAMES: Record<ImportLayout, Partial<Record<Header, string[]>>> = {
  smile: { email: ["email"], points: ["points_balance", "points"], first_name: ["first_name"], last_name: ["last_name"] },
  loyaltylion: {
    customer_id: ["merchant_id", "customer_merchant_id", "shopify_id", "shopify_customer_id", "customer_id"],
    email: ["email", "customer_email"],
    points: ["points_approved", "approved_points", "points_balance_approved"],
    first_name: ["first_name"],
    last_name: ["last_name"],
  },
  generic: { customer_id: ["customer_id", "shopify_customer_id"], email: ["email"], points: ["points"], first_name: ["first_name"], last_name: ["last_name"] },
};

export const foldColumn = (title: string) =>
  title
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");

/** The layout a header names: LoyaltyLion's approved points, Smile's points_balance, else generic. */
export function detectLayout(header: readonly string[]): ImportLayout | null {
  const columns = new Set(header.map(foldColumn));
  const has = (layout: ImportLayout, field: Header) => (COLUMN_NAMES[layout][field] ?? []).some((name) => columns.has(name));
  const fits = (layout: ImportLayout) => has(layout, "points") && (has(layout, "email") || has(layout, "customer_id"));
  if (fits("loyaltylion")) return "loyaltylion";
  if (columns.has("points_balance") && fits("smile")) return "smile";
  if (fits("generic")) return "generic";
  return null;
}

export type RowProblem = "no_customer" | "bad_customer_id" | "bad_email" | "no_points" | "bad_points" | "negative_points" | "too_many_points" | "duplicate_customer";

export interface ImportRow {
  /** The row's line in the file as a spreadsheet numbers it (the header is row 1). */
  row: number;
  customerId: bigint | null;
  email: string | null;
  points: number;
  firstName: string | null;
  lastName: string | null;
}

export interface RowError {
  row: number;
  problem: RowProblem;
}

export type ParsedImport =
  | { ok: true; layout: ImportLayout; rows: ImportRow[]; errors: RowError[]; totalRows: number }
  | { ok: false; problem: "empty" | "too_large" | "too_many_rows" | "unreadable" | "unknown_layout"; detail?: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_CUSTOMER_ID = 2n ** 63n - 1n;

function customerIdOf(text: string): bigint | null | "bad" {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const digits = /^(?:gid:\/\/shopify\/Customer\/)?(\d{1,19})$/.exec(trimmed)?.[1];
  if (digits === undefined) return "bad";
  const id = BigInt(digits);
  return id > 0n && id <= MAX_CUSTOMER_ID ? id : "bad";
}

function pointsOf(text: string): number | RowProblem {
  // Exports write thousands separators now and then ("52,620"): a separator between groups of
  // three digits is dropped; anything else that is not a whole number is refused.
  const trimmed = text.trim().replace(/^(-?\d{1,3})((?:[,\s]\d{3})+)$/, (_, head: string, groups: string) => head + groups.replace(/[,\s]/g, ""));
  if (trimmed === "") return "no_points";
  if (!/^-?\d+(?:\.0+)?$/.test(trimmed)) return "bad_points";
  const points = Number.parseInt(trimmed, 10);
  if (points < 0) return "negative_points";
  if (points > MAX_IMPORTED_POINTS) return "too_many_points";
  return points;
}

/** The whole file, checked row by row; a customer named twice is imported from its first row. */
export function parseImport(text: string, layout: ImportLayout | null = null): ParsedImport {
  if (Buffer.byteLength(text, "utf8") > MAX_IMPORT_BYTES) return { ok: false, problem: "too_large" };
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];
  } catch (error) {
    return { ok: false, problem: "unreadable", detail: (error as Error).message };
  }
  if (records.length === 0) return { ok: false, problem: "empty" };
  if (records.length - 1 > MAX_IMPORT_ROWS) return { ok: false, problem: "too_many_rows" };
  const [header, ...body] = records;
  const chosen = layout ?? detectLayout(header);
  if (chosen === null) return { ok: false, problem: "unknown_layout" };
  const folded = header.map(foldColumn);
  const index = (field: Header) => {
    for (const name of COLUMN_NAMES[chosen][field] ?? []) {
      const at = folded.indexOf(name);
      if (at >= 0) return at;
    }
    return -1;
  };
  const at = { customerId: index("customer_id"), email: index("email"), points: index("points"), firstName: index("first_name"), lastName: index("last_name") };
  if (at.points < 0 || (at.customerId < 0 && at.email < 0)) return { ok: false, problem: "unknown_layout" };

  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  const seen = new Set<string>();
  body.forEach((record, i) => {
    const row = i + 2;
    const cell = (column: number) => (column >= 0 ? (record[column] ?? "") : "");
    const customerId = customerIdOf(cell(at.customerId));
    const emailText = cell(at.email).trim();
    const points = pointsOf(cell(at.points));
    if (customerId === "bad") return void errors.push({ row, problem: "bad_customer_id" });
    if (customerId === null && emailText === "") return void errors.push({ row, problem: "no_customer" });
    if (customerId === null && !EMAIL.test(emailText)) return void errors.push({ row, problem: "bad_email" });
    if (typeof points === "string") return void errors.push({ row, problem: points });
    const email = emailText === "" ? null : emailText;
    const identity = customerId !== null ? `id:${customerId}` : `email:${email!.toLowerCase()}`;
    if (seen.has(identity)) return void errors.push({ row, problem: "duplicate_customer" });
    seen.add(identity);
    const name = (column: number) => cell(column).trim() || null;
    rows.push({ row, customerId, email, points, firstName: name(at.firstName), lastName: name(at.lastName) });
  });
  return { ok: true, layout: chosen, rows, errors, totalRows: body.length };
}
