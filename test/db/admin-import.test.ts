// Points imports from CSV through the real route and job: each layout (Smile.io, LoyaltyLion,
// generic), malformed rows reported by row number, a dry run that changes nothing, a second
// import of the same file that changes nothing, emails resolved through Tally's members and then
// Shopify's Admin API (the stand-in at the HTTP boundary), Shopify unreachable, size limits.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { getOperationAST, parse } from "graphql";
import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { schemaErrors } from "../../dev/simulator/shopify-admin";
import { TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";
import { storeOfflineSession } from "../support/admin-session";
import { runDueJobs } from "../support/jobs";
import { APP_URL, deliverWebhook } from "../support/routes";
import { adminApiStandIn, shopifySucceeds, type GraphqlCall } from "../support/shopify-admin-api";

const STORE = "import-admin";
const SHOP = `${STORE}.myshopify.com`;
const OTHER_STORE = "import-other";
const OTHER_SHOP = `${OTHER_STORE}.myshopify.com`;

const shopify = adminApiStandIn();
/** Customers Shopify has (and Tally has not heard of yet), by email. */
const SHOPIFY_CUSTOMERS = [
  { id: "6100101", email: "new.customer@example.com", firstName: "Nova", lastName: "Reyes" },
  { id: "6100102", email: "twin@example.com", firstName: "Twin", lastName: "One" },
  { id: "6100103", email: "twin@example.com", firstName: "Twin", lastName: "Two" },
];

/** Shopify's customer search, as far as `email:"…" OR …` goes, validated against the Admin schema. */
function customerSearch(call: GraphqlCall) {
  const refused = schemaErrors(call);
  if (refused) return HttpResponse.json(refused.body as Record<string, unknown>) as unknown as Response;
  const wanted = [...String(call.variables.query).matchAll(/email:"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1].toLowerCase());
  const nodes = SHOPIFY_CUSTOMERS.filter((customer) => wanted.includes(customer.email)).map((customer) => ({
    legacyResourceId: customer.id,
    firstName: customer.firstName,
    lastName: customer.lastName,
    defaultEmailAddress: { emailAddress: customer.email },
  }));
  return HttpResponse.json({ data: { customers: { nodes } } }) as unknown as Response;
}

function answerCustomerSearches() {
  shopify.answerWith((call, admin) => (getOperationAST(parse(call.query))?.name?.value === "CustomersByEmail" ? customerSearch(call) : shopifySucceeds(call, admin)));
}

async function upload(store: string, csv: string, intent: "preview" | "import", fileName = "export.csv") {
  const form = new FormData();
  form.set("intent", intent);
  form.set("file", new File([csv], fileName, { type: "text/csv" }));
  const request = await setUpValidRequest(
    { type: RequestType.Bearer, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET },
    new Request(`${APP_URL}/app/import`, { method: "POST", body: form }),
  );
  const { action } = await import("~/routes/app.import");
  return (await action({ request, params: {}, context: {} })) as Response;
}

async function importsOf(store: string) {
  const { loader } = await import("~/routes/app.import");
  const request = await setUpValidRequest({ type: RequestType.Admin, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request(`${APP_URL}/app/import`));
  return (await loader({ request, params: {}, context: {} })).imports;
}

async function db() {
  return (await import("~/db.server")).default;
}

/** Runs the import to its end as the server's job runner would, and returns its record. */
async function importFile(store: string, csv: string) {
  const response = await upload(store, csv, "import");
  expect(response.status).toBe(200);
  const { started } = (await response.json()) as { started: number };
  await runDueJobs(await db());
  return (await db()).memberImport.findUniqueOrThrow({ where: { id: started } });
}

async function balances(shop: string) {
  const members = await (await db()).member.findMany({ where: { shopDomain: shop }, select: { customerId: true, balance: true } });
  return Object.fromEntries(members.map((member) => [String(member.customerId), Number(member.balance)]));
}

async function snapshot(shop: string) {
  const database = await db();
  return { balances: await balances(shop), ledgerRows: await database.ledgerEntry.count({ where: { shopDomain: shop } }) };
}

/** `npm run verify`'s audit of the shop: every balance the sum of its ledger, keys unique. */
async function expectBalancesEqualLedger(shop: string) {
  const { verifyLedger } = await import("~/loyalty/verify.server");
  const report = await verifyLedger(await db(), { shop });
  expect(report.mismatches).toEqual([]);
  expect(report.ok).toBe(true);
}

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
  await storeOfflineSession(OTHER_SHOP);
  // Members Tally knows from orders: 6100001 (ada@…, 10 points), 6100002 (grace@…, 20 points).
  for (const [i, customer] of [
    { id: 6_100_001, email: "Ada@Example.com", price: "10.00" },
    { id: 6_100_002, email: "grace@example.com", price: "20.00" },
  ].entries()) {
    const payload = orderPayload({ id: 6_200_001 + i, customer: { id: customer.id, email: customer.email }, lines: [{ price: customer.price }] });
    expect((await deliverWebhook("orders/paid", payload, { shop: SHOP })).status).toBe(200);
  }
  // The other shop has a member with the same customer id.
  expect((await deliverWebhook("orders/paid", orderPayload({ id: 6_200_009, customer: { id: 6_100_001 }, lines: [{ price: "5.00" }] }), { shop: OTHER_SHOP })).status).toBe(200);
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.setReachable(true);
  answerCustomerSearches();
});

const SMILE_EXPORT = [
  "id,first_name,last_name,email,state,points_balance,referral_url,created_at",
  "304169228,Ada,Lovelace,ada@example.com,member,1500,http://i.refs.cc/a,2024-04-04T15:10:42.030Z",
  '304169229,"Reyes, Nova",,new.customer@example.com,member,"2,500",http://i.refs.cc/b,2024-04-05T10:00:00.000Z',
  "304169230,Nobody,Known,nobody@example.com,member,300,http://i.refs.cc/c,2024-04-05T10:00:00.000Z",
  "304169231,Twin,,twin@example.com,member,40,http://i.refs.cc/d,2024-04-05T10:00:00.000Z",
  "304169232,Bad,Points,bad.points@example.com,member,12.5,http://i.refs.cc/e,2024-04-05T10:00:00.000Z",
  "304169233,No,Email,,member,10,http://i.refs.cc/f,2024-04-05T10:00:00.000Z",
].join("\r\n");

describe("import layouts", () => {
  it("dry-runs a Smile.io export: counts and row errors, nothing written", async () => {
    const before = await snapshot(SHOP);
    const response = await upload(STORE, SMILE_EXPORT, "preview");
    expect(response.status).toBe(200);
    const { preview } = (await response.json()) as { preview: Record<string, unknown> };
    expect(preview).toEqual({
      layout: "smile",
      totalRows: 6,
      toImport: 1,
      pointsToImport: 1500,
      alreadyImported: 0,
      toLookUp: 3,
      pointsToLookUp: 2840,
      errorCount: 2,
      errors: [
        { row: 6, problem: "bad_points" },
        { row: 7, problem: "no_customer" },
      ],
    });
    expect(await snapshot(SHOP)).toEqual(before);
    expect(await (await db()).memberImport.count()).toBe(0);
  });

  it("imports a Smile.io export through the job: members by email, then Shopify; once per customer", async () => {
    const before = await balances(SHOP);
    const run = await importFile(STORE, SMILE_EXPORT);
    expect(run).toMatchObject({ status: "done", layout: "smile", totalRows: 6, processedRows: 6, importedRows: 2, pointsImported: 4000n, skippedRows: 0, errorRows: 4, content: "" });
    expect(JSON.parse(run.errors)).toEqual([
      { row: 4, problem: "customer_not_found" },
      { row: 5, problem: "ambiguous_email" },
      { row: 6, problem: "bad_points" },
      { row: 7, problem: "no_customer" },
    ]);
    const after = await balances(SHOP);
    expect(after["6100001"]).toBe(before["6100001"] + 1500);
    // Found in Shopify by email: now a member, with Shopify's customer id and the file's name.
    expect(after["6100101"]).toBe(2500);
    const nova = await (await db()).member.findFirstOrThrow({ where: { shopDomain: SHOP, customerId: 6_100_101n } });
    expect(nova).toMatchObject({ email: "new.customer@example.com", firstName: "Reyes, Nova" });
    const entry = await (await db()).ledgerEntry.findFirstOrThrow({ where: { shopDomain: SHOP, idempotencyKey: "import:6100001" } });
    expect(entry).toMatchObject({ kind: "import", delta: 1500n, actor: "staff:12345", sourceType: "import" });
    await expectBalancesEqualLedger(SHOP);
    // The other shop's member with the same customer id is untouched.
    expect(await balances(OTHER_SHOP)).toEqual({ "6100001": 5 });
    const [shown] = await importsOf(STORE);
    expect(shown).toMatchObject({ id: run.id, status: "done", processedRows: 6, totalRows: 6, importedRows: 2, pointsImported: 4000 });
    expect(await importsOf(OTHER_STORE)).toEqual([]);
  });

  it("changes nothing when the same file is imported again, and says so in the dry run", async () => {
    const before = await snapshot(SHOP);
    const { preview } = (await (await upload(STORE, SMILE_EXPORT, "preview")).json()) as { preview: Record<string, number> };
    expect(preview).toMatchObject({ toImport: 0, alreadyImported: 2, toLookUp: 2 });
    const run = await importFile(STORE, SMILE_EXPORT);
    expect(run).toMatchObject({ status: "done", importedRows: 0, pointsImported: 0n, skippedRows: 2, errorRows: 4 });
    expect(await snapshot(SHOP)).toEqual(before);
  });

  it("imports a LoyaltyLion export by customer id (approved points), any column order", async () => {
    const csv = [
      "Email,Points Pending,Points Approved,Merchant ID,Points Spent,Tier",
      "grace@example.com,100,700,6100002,50,Gold",
      "someone@example.com,0,60,gid://shopify/Customer/6100201,0,",
      "x@example.com,0,-5,6100202,0,",
      "x@example.com,0,5,61002abc,0,",
      "new.customer@example.com,0,99,,0,",
    ].join("\n");
    const before = await balances(SHOP);
    const run = await importFile(STORE, csv);
    expect(run).toMatchObject({ layout: "loyaltylion", importedRows: 2, pointsImported: 760n, errorRows: 2, skippedRows: 1 });
    expect(JSON.parse(run.errors)).toEqual([
      { row: 4, problem: "negative_points" },
      { row: 5, problem: "bad_customer_id" },
    ]);
    const after = await balances(SHOP);
    expect(after["6100002"]).toBe(before["6100002"] + 700);
    // A customer id Tally had not seen becomes a member with the imported balance.
    expect(after["6100201"]).toBe(60);
    await expectBalancesEqualLedger(SHOP);
  });

  it("imports the generic layout, refusing duplicates and huge numbers by row", async () => {
    const csv = ["customer_id,email,points", "6100301,,10", "6100301,,20", ",grace@example.com,5", "6100302,,99999999", "6100303,,abc", "6100304,,"].join("\n");
    const run = await importFile(STORE, csv);
    expect(run).toMatchObject({ layout: "generic", importedRows: 1, skippedRows: 1, errorRows: 4 });
    expect(JSON.parse(run.errors)).toEqual([
      { row: 3, problem: "duplicate_customer" },
      { row: 5, problem: "too_many_points" },
      { row: 6, problem: "bad_points" },
      { row: 7, problem: "no_points" },
    ]);
    expect((await balances(SHOP))["6100301"]).toBe(10);
  });
});

describe("import edge cases", () => {
  it("reports rows Shopify could not be asked about, and credits them on a later import", async () => {
    const csv = ["email,points", "late.customer@example.com,70"].join("\n");
    SHOPIFY_CUSTOMERS.push({ id: "6100401", email: "late.customer@example.com", firstName: "Late", lastName: "Comer" });
    shopify.setReachable(false);
    const first = await importFile(STORE, csv);
    expect(first).toMatchObject({ status: "done", importedRows: 0, errorRows: 1 });
    expect(JSON.parse(first.errors)).toEqual([{ row: 2, problem: "shopify_unavailable" }]);
    expect((await balances(SHOP))["6100401"]).toBeUndefined();
    shopify.setReachable(true);
    const second = await importFile(STORE, csv);
    expect(second).toMatchObject({ importedRows: 1, pointsImported: 70n });
    expect((await balances(SHOP))["6100401"]).toBe(70);
  });

  it("resumes after the last committed chunk when a run is interrupted", async () => {
    const { IMPORT_CHUNK_ROWS, runImport, createImport } = await import("~/loyalty/csv-import.server");
    const { parseImport } = await import("~/loyalty/csv-import");
    const rows = Array.from({ length: IMPORT_CHUNK_ROWS * 2 + 10 }, (_, i) => `${7_000_000 + i},${i + 1}`);
    const csv = ["customer_id,points", ...rows].join("\n");
    const parsed = parseImport(csv);
    if (!parsed.ok) throw new Error("unparsed");
    const database = await db();
    const { sql } = await import("~/sql.server");
    const { id } = await createImport(database, SHOP, { fileName: "big.csv", content: csv, parsed, actor: "staff:1" });
    let chunks = 0;
    // The lease is lost before the second chunk: the run stops there, the first chunk committed.
    await expect(
      runImport(database, sql(), id, null, async () => {
        if (++chunks === 2) throw new Error("lease lost");
      }),
    ).rejects.toThrow("lease lost");
    expect(await database.memberImport.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "running", processedRows: IMPORT_CHUNK_ROWS, importedRows: IMPORT_CHUNK_ROWS });
    await runImport(database, sql(), id, null);
    const run = await database.memberImport.findUniqueOrThrow({ where: { id } });
    expect(run).toMatchObject({ status: "done", processedRows: rows.length, importedRows: rows.length, skippedRows: 0 });
    expect(await database.ledgerEntry.count({ where: { shopDomain: SHOP, idempotencyKey: { startsWith: "import:7" } } })).toBe(rows.length);
    await expectBalancesEqualLedger(SHOP);
  });

  it.each([
    ["an empty file", "", 400, "empty"],
    ["a file without a points column", "email,name\na@example.com,A", 400, "unknown_layout"],
    ["a file that is not CSV", 'email,points\n"unterminated,5', 400, "unreadable"],
  ])("refuses %s before anything is written", async (_, csv, status, problem) => {
    const before = await snapshot(SHOP);
    const imports = await (await db()).memberImport.count();
    const response = await upload(STORE, csv, "import");
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ ok: false, problem });
    expect(await snapshot(SHOP)).toEqual(before);
    expect(await (await db()).memberImport.count()).toBe(imports);
  });

  it("refuses a file over the size limit", async () => {
    const { MAX_IMPORT_BYTES } = await import("~/loyalty/csv-import");
    const csv = `email,points\n${"a".repeat(MAX_IMPORT_BYTES)}@example.com,1`;
    const response = await upload(STORE, csv, "preview");
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ ok: false, problem: "too_large" });
  });

  it("refuses a request without a file", async () => {
    const form = new FormData();
    form.set("intent", "preview");
    const request = await setUpValidRequest(
      { type: RequestType.Bearer, store: STORE, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET },
      new Request(`${APP_URL}/app/import`, { method: "POST", body: form }),
    );
    const { action } = await import("~/routes/app.import");
    const response = (await action({ request, params: {}, context: {} })) as Response;
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ ok: false, problem: "no_file" });
  });
});
