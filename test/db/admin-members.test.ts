// The admin's Members pages through their real route modules, with session-token requests:
// search, tier filter, sorts and keyset pages; a member's page (another shop's is 404); manual
// adjustments (bad input changes nothing; a good one is a ledger row with the staff member as
// actor, the balance the ledger's sum); the streamed CSV exports.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { memberIndexQuery, type MemberSort } from "~/loyalty/member-search";
import { seedMembers } from "../../scripts/seed-members";
import { orderPayload } from "../../dev/simulator/shopify-payloads";
import { TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";
import { storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook } from "../support/routes";

const STORE = "members-admin";
const SHOP = `${STORE}.myshopify.com`;
const OTHER_STORE = "members-other";
const OTHER_SHOP = `${OTHER_STORE}.myshopify.com`;
const BIG_STORE = "members-big";
const BIG_SHOP = `${BIG_STORE}.myshopify.com`;

async function adminGet(store: string, path: string): Promise<Request> {
  return setUpValidRequest({ type: RequestType.Admin, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request(`${APP_URL}${path}`));
}

/** A form POST from the embedded admin: fetch carries the session token as a bearer header. */
async function adminPost(store: string, path: string, fields: Record<string, string>): Promise<Request> {
  const request = new Request(`${APP_URL}${path}`, { method: "POST", body: new URLSearchParams(fields), headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  return setUpValidRequest({ type: RequestType.Bearer, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, request);
}

async function settle<T>(work: () => Promise<T>): Promise<T | Response> {
  try {
    return await work();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function membersIndex(store: string, query: string) {
  const { loader } = await import("~/routes/app.members._index");
  return loader({ request: await adminGet(store, `/app/members?${query}`), params: {}, context: {} });
}

async function memberPage(store: string, memberId: number, query = "") {
  const { loader } = await import("~/routes/app.members.$memberId");
  return settle(async () => loader({ request: await adminGet(store, `/app/members/${memberId}${query}`), params: { memberId: String(memberId) }, context: {} }));
}

async function adjust(store: string, memberId: number | string, fields: Record<string, string>) {
  const { action } = await import("~/routes/app.members.$memberId");
  const result = await settle(async () => action({ request: await adminPost(store, `/app/members/${memberId}`, fields), params: { memberId: String(memberId) }, context: {} }));
  return result as Response;
}

async function db() {
  return (await import("~/db.server")).default;
}

async function ledgerSum(memberId: number) {
  const rows = await (await db()).ledgerEntry.findMany({ where: { memberId, status: "available" }, select: { delta: true } });
  return rows.reduce((sum, row) => sum + Number(row.delta), 0);
}

const PEOPLE = [
  { id: 5_100_001, email: "Ada.Lovelace@Example.com", firstName: "Ada", lastName: "Lovelace", price: "120.00" },
  { id: 5_100_002, email: "elodie@example.fr", firstName: "Élodie", lastName: "Dupont", price: "45.00" },
  { id: 5_100_003, email: "grace@navy.example", firstName: "Grace", lastName: "Hopper", price: "80.00" },
  { id: 5_100_004, email: "adam@example.com", firstName: "Adam", lastName: "Smith", price: "10.00" },
  { id: 5_100_005, email: "percent_50%@example.com", firstName: "Zoë", lastName: "Adams", price: "33.00" },
];

describe("members index", () => {
  beforeAll(async () => {
    await storeOfflineSession(SHOP);
    await storeOfflineSession(OTHER_SHOP);
    await storeOfflineSession(BIG_SHOP);
    for (const [i, person] of PEOPLE.entries()) {
      const payload = orderPayload({ id: 5_200_001 + i, customer: { id: person.id, email: person.email, firstName: person.firstName, lastName: person.lastName }, lines: [{ price: person.price }] });
      expect((await deliverWebhook("orders/paid", payload, { shop: SHOP })).status).toBe(200);
    }
    // Another shop's Ada must never show.
    const theirs = orderPayload({ id: 5_200_100, customer: { id: 5_100_100, email: "ada.l@example.com", firstName: "Ada", lastName: "Lovelace" }, lines: [{ price: "999.00" }] });
    expect((await deliverWebhook("orders/paid", theirs, { shop: OTHER_SHOP })).status).toBe(200);
    const { sql } = await import("~/sql.server");
    await seedMembers(await db(), sql(), { shop: BIG_SHOP, members: 260, ledgerRows: 1300, seed: 7 });
  });

  const names = (data: Awaited<ReturnType<typeof membersIndex>>) => data.members.map((member) => `${member.firstName} ${member.lastName}`);

  it("finds members by email prefix, case-insensitively", async () => {
    expect(names(await membersIndex(STORE, "q=ADA.love"))).toEqual(["Ada Lovelace"]);
    expect(names(await membersIndex(STORE, "q=ada%40"))).toEqual([]);
    expect(names(await membersIndex(STORE, `q=${encodeURIComponent("percent_50%")}`))).toEqual(["Zoë Adams"]);
    // The pattern characters are literal: "percent" + any character does not match more.
    expect(names(await membersIndex(STORE, `q=${encodeURIComponent("per_ent")}`))).toEqual([]);
  });

  it("finds members by first name, last name or full name, accents folded", async () => {
    expect(names(await membersIndex(STORE, "q=ada&sort=balance_desc"))).toEqual(["Ada Lovelace", "Zoë Adams", "Adam Smith"]);
    expect(names(await membersIndex(STORE, "q=elodie"))).toEqual(["Élodie Dupont"]);
    expect(names(await membersIndex(STORE, `q=${encodeURIComponent("ÉLODIE dup")}`))).toEqual(["Élodie Dupont"]);
    expect(names(await membersIndex(STORE, "q=hopp"))).toEqual(["Grace Hopper"]);
    expect(names(await membersIndex(STORE, "q=zoe"))).toEqual(["Zoë Adams"]);
    expect(names(await membersIndex(STORE, "q=nobody"))).toEqual([]);
  });

  it("finds a member by exact customer id or customer GID, in the signed-in shop only", async () => {
    expect(names(await membersIndex(STORE, "q=5100003"))).toEqual(["Grace Hopper"]);
    expect(names(await membersIndex(STORE, `q=${encodeURIComponent("gid://shopify/Customer/5100002")}`))).toEqual(["Élodie Dupont"]);
    expect(names(await membersIndex(STORE, "q=510000"))).toEqual([]);
    expect(names(await membersIndex(STORE, "q=5100100"))).toEqual([]);
    expect(names(await membersIndex(OTHER_STORE, "q=ada"))).toEqual(["Ada Lovelace"]);
    expect((await membersIndex(OTHER_STORE, "")).members.map((member) => member.customerId)).toEqual(["5100100"]);
  });

  it.each<MemberSort>(["balance_desc", "balance_asc", "activity_desc", "activity_asc"])("walks every member once, in %s order, page after page", async (sort) => {
    const database = await db();
    const all = await database.member.findMany({ where: { shopDomain: BIG_SHOP }, select: { id: true, balance: true, lastActivityMs: true } });
    const key = (member: (typeof all)[number]) => (sort.startsWith("balance") ? member.balance : member.lastActivityMs);
    const descending = sort.endsWith("desc");
    const expected = [...all]
      .sort((a, b) => (key(a) === key(b) ? a.id - b.id : key(a) < key(b) ? -1 : 1) * (descending ? -1 : 1))
      .map((member) => member.id);
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await membersIndex(BIG_STORE, `sort=${sort}${after ? `&after=${after}` : ""}`);
      seen.push(...page.members.map((member) => member.id));
      after = page.next;
      pages++;
    } while (after && pages < 20);
    expect(pages).toBe(Math.ceil(260 / memberIndexQuery(new URLSearchParams()).pageSize));
    expect(seen).toEqual(expected);
  });

  it("keeps its place when balances change between pages", async () => {
    const first = await membersIndex(BIG_STORE, "sort=balance_desc");
    const database = await db();
    // The top member's balance drops below everyone: the next page neither repeats nor skips anyone else.
    await database.member.update({ where: { id: first.members[0].id }, data: { balance: -1 } });
    const second = await membersIndex(BIG_STORE, `sort=balance_desc&after=${first.next}`);
    const firstIds = new Set(first.members.map((member) => member.id));
    expect(second.members.some((member) => firstIds.has(member.id))).toBe(false);
    expect(second.members[0].balance).toBeLessThanOrEqual(first.members.at(-1)!.balance);
    await database.member.update({ where: { id: first.members[0].id }, data: { balance: BigInt(first.members[0].balance) } });
  });

  it("filters by tier", async () => {
    const database = await db();
    const gold = await database.tier.findFirstOrThrow({ where: { shopDomain: BIG_SHOP, name: "Gold" } });
    const goldIds = (await database.member.findMany({ where: { shopDomain: BIG_SHOP, tierId: gold.id }, select: { id: true } })).map((member) => member.id).sort((a, b) => a - b);
    expect(goldIds.length).toBeGreaterThan(0);
    const page = await membersIndex(BIG_STORE, `tier=${gold.id}&sort=balance_asc`);
    expect(page.members.map((member) => member.id).sort((a, b) => a - b)).toEqual(goldIds.slice(0, 50));
    expect(page.members.every((member) => member.tierId === gold.id)).toBe(true);
    const none = await membersIndex(BIG_STORE, "tier=none");
    expect(none.members.every((member) => member.tierId === null)).toBe(true);
    expect(none.tiers.map((tier) => tier.name)).toEqual(["Silver", "Gold", "Platinum"]);
  });

  it("seeds balances that the ledger audit (npm run verify) agrees with", async () => {
    const { verifyLedger } = await import("~/loyalty/verify.server");
    const report = await verifyLedger(await db(), { shop: BIG_SHOP });
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(await (await db()).ledgerEntry.count({ where: { shopDomain: BIG_SHOP } })).toBe(1300);
  });

  it("starts over on a tampered cursor and ignores unknown parameters", async () => {
    const page = await membersIndex(BIG_STORE, "after=not-a-cursor&sort=drop_table&tier=x");
    expect(page.isFirstPage).toBe(true);
    expect(page.members).toHaveLength(50);
  });
});

const memberOf = async (shop: string, customerId: number) => (await db()).member.findFirstOrThrow({ where: { shopDomain: shop, customerId } });

describe("member page and manual adjustment", () => {
  it("shows balance, history, orders, and answers 404 for another shop's member", async () => {
    const ada = await memberOf(SHOP, 5_100_001);
    const page = (await memberPage(STORE, ada.id)) as Exclude<Awaited<ReturnType<typeof memberPage>>, Response>;
    expect(page.member).toMatchObject({ customerId: "5100001", balance: 120, name: "Ada Lovelace", email: "Ada.Lovelace@Example.com" });
    expect(page.history).toMatchObject([{ delta: 120, kind: "earn" }]);
    expect(page.orders).toMatchObject([{ orderId: "5200001", points: 120, cancelled: false }]);
    const theirs = await memberOf(OTHER_SHOP, 5_100_100);
    expect(((await memberPage(STORE, theirs.id)) as Response).status).toBe(404);
    expect(((await memberPage(STORE, 999_999_999)) as Response).status).toBe(404);
  });

  it("pages the history, newest first", async () => {
    const database = await db();
    const member = await database.member.findFirstOrThrow({ where: { shopDomain: BIG_SHOP }, orderBy: { id: "asc" } });
    const ids = (await database.ledgerEntry.findMany({ where: { memberId: member.id }, orderBy: { id: "desc" }, select: { id: true } })).map((entry) => entry.id);
    const seen: number[] = [];
    let query = "";
    for (let i = 0; i < 50; i++) {
      const page = (await memberPage(BIG_STORE, member.id, query)) as Exclude<Awaited<ReturnType<typeof memberPage>>, Response>;
      seen.push(...page.history.map((entry) => entry.id));
      if (!page.olderBefore) break;
      query = `?before=${page.olderBefore}`;
    }
    expect(seen).toEqual(ids);
  });

  const key = () => crypto.randomUUID();

  it.each([
    ["missing reason", { points: "50", reason: "  " }, { reason: "reason_required" }],
    ["missing points", { points: "", reason: "Gift" }, { points: "points_required" }],
    ["zero points", { points: "0", reason: "Gift" }, { points: "points_zero" }],
    ["a fraction", { points: "2.5", reason: "Gift" }, { points: "points_integer" }],
    ["a word", { points: "ten", reason: "Gift" }, { points: "points_integer" }],
    ["a huge number", { points: "99999999999999999999", reason: "Gift" }, { points: "points_too_large" }],
    ["too many points", { points: "1000001", reason: "Gift" }, { points: "points_too_large" }],
    ["a debit below zero", { points: "-121", reason: "Oops" }, { points: "below_zero" }],
    ["a reason too long", { points: "5", reason: "x".repeat(501) }, { reason: "reason_too_long" }],
  ])("refuses %s with a field error and changes nothing", async (_, fields, errors) => {
    const ada = await memberOf(SHOP, 5_100_001);
    const before = await (await db()).ledgerEntry.count({ where: { memberId: ada.id } });
    const response = await adjust(STORE, ada.id, { ...fields, key: key() });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ok: false, errors });
    expect(await (await db()).ledgerEntry.count({ where: { memberId: ada.id } })).toBe(before);
    expect(Number((await memberOf(SHOP, 5_100_001)).balance)).toBe(Number(ada.balance));
  });

  it("refuses a form without its key, and another shop's member with 404", async () => {
    const ada = await memberOf(SHOP, 5_100_001);
    const missingKey = await adjust(STORE, ada.id, { points: "5", reason: "Gift" });
    expect(await missingKey.json()).toMatchObject({ errors: { key: "key_invalid" } });
    const theirs = await memberOf(OTHER_SHOP, 5_100_100);
    expect((await adjust(STORE, theirs.id, { points: "5", reason: "Gift", key: key() })).status).toBe(404);
    expect(Number((await memberOf(OTHER_SHOP, 5_100_100)).balance)).toBe(999);
    expect((await adjust(STORE, "abc", { points: "5", reason: "Gift", key: key() })).status).toBe(404);
  });

  it("records a good adjustment as a ledger row by the staff member, once per form", async () => {
    const grace = await memberOf(SHOP, 5_100_003);
    const form = { points: "-30", reason: "Returned gift", key: key() };
    const response = await adjust(STORE, grace.id, form);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, status: "adjusted", balance: 50 });
    // The same form submitted again (a double click): nothing more.
    expect(await (await adjust(STORE, grace.id, form)).json()).toEqual({ ok: true, status: "already_recorded", balance: 50 });
    const rows = await (await db()).ledgerEntry.findMany({ where: { memberId: grace.id, kind: "manual_adjust" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ delta: -30n, actor: "staff:12345", note: "Returned gift", sourceType: "manual", idempotencyKey: `manual:${form.key}` });
    const after = await memberOf(SHOP, 5_100_003);
    expect(Number(after.balance)).toBe(50);
    expect(await ledgerSum(grace.id)).toBe(50);
    expect(after.summaryVersion).toBeGreaterThan(grace.summaryVersion);
    expect(Number(after.lastActivityMs)).toBeGreaterThanOrEqual(Number(grace.lastActivityMs));
    // A debit of exactly the balance is allowed; one point more is not.
    expect((await adjust(STORE, grace.id, { points: "-51", reason: "Too much", key: key() })).status).toBe(400);
    expect(await (await adjust(STORE, grace.id, { points: "-50", reason: "All of it", key: key() })).json()).toMatchObject({ ok: true, balance: 0 });
    expect(await ledgerSum(grace.id)).toBe(0);
  });

  it("takes concurrent debits only while the balance covers them", async () => {
    const adam = await memberOf(SHOP, 5_100_004);
    expect(Number(adam.balance)).toBe(10);
    const results = await Promise.all(Array.from({ length: 5 }, () => adjust(STORE, adam.id, { points: "-4", reason: "Race", key: key() }).then((response) => response.status)));
    expect(results.filter((status) => status === 200)).toHaveLength(2);
    expect(Number((await memberOf(SHOP, 5_100_004)).balance)).toBe(2);
    expect(await ledgerSum(adam.id)).toBe(2);
  });
});

describe("CSV exports", () => {
  async function exported(kind: "members" | "ledger", store: string) {
    const { loader } = await import(`~/routes/app.export.${kind}`);
    const response = (await loader({ request: await adminGet(store, `/app/export/${kind}`), params: {}, context: {} })) as Response;
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(new RegExp(`attachment; filename="tally-${kind}-\\d{4}-\\d{2}-\\d{2}\\.csv"`));
    return parse(await response.text(), { columns: true }) as Record<string, string>[];
  }

  it("exports every member of the shop and nobody else's", async () => {
    const rows = await exported("members", STORE);
    expect(rows.map((row) => row.customer_id).sort()).toEqual(PEOPLE.map((person) => String(person.id)).sort());
    expect(rows.find((row) => row.customer_id === "5100002")).toMatchObject({ email: "elodie@example.fr", first_name: "Élodie", last_name: "Dupont", balance: "45", pending_balance: "0" });
    const big = await exported("members", BIG_STORE);
    expect(big).toHaveLength(260);
    const database = await db();
    const balances = await database.member.findMany({ where: { shopDomain: BIG_SHOP }, select: { customerId: true, balance: true } });
    expect(Object.fromEntries(big.map((row) => [row.customer_id, Number(row.balance)]))).toEqual(Object.fromEntries(balances.map((m) => [String(m.customerId), Number(m.balance)])));
  });

  it("exports every ledger row of the shop across pages, each once", async () => {
    const database = await db();
    const rows = await exported("ledger", BIG_STORE);
    const expected = await database.ledgerEntry.findMany({ where: { shopDomain: BIG_SHOP }, select: { id: true, delta: true } });
    expect(rows.map((row) => Number(row.entry_id)).sort((a, b) => a - b)).toEqual(expected.map((entry) => entry.id).sort((a, b) => a - b));
    expect(rows.reduce((sum, row) => sum + Number(row.delta), 0)).toBe(expected.reduce((sum, entry) => sum + Number(entry.delta), 0));
    const mine = await exported("ledger", STORE);
    expect(mine.every((row) => PEOPLE.some((person) => String(person.id) === row.customer_id))).toBe(true);
  });

  it("streams small pages without losing or repeating a row at page boundaries", async () => {
    const { ledgerCsvStream, memberCsvStream } = await import("~/loyalty/csv-export.server");
    const { sql } = await import("~/sql.server");
    const read = async (stream: ReadableStream<Uint8Array>) => parse(await new Response(stream).text(), { columns: true }) as Record<string, string>[];
    const database = await db();
    const expected = (await database.ledgerEntry.findMany({ where: { shopDomain: BIG_SHOP }, select: { id: true } })).map((entry) => entry.id).sort((a, b) => a - b);
    for (const pageRows of [1, 7, 64]) {
      const rows = await read(ledgerCsvStream(sql(), BIG_SHOP, pageRows));
      expect(rows.map((row) => Number(row.entry_id)).sort((a, b) => a - b)).toEqual(expected);
    }
    expect(await read(memberCsvStream(sql(), BIG_SHOP, 9))).toHaveLength(260);
  });

  it("defuses spreadsheet formulas in names and notes", async () => {
    const zoe = await memberOf(SHOP, 5_100_005);
    const response = await adjust(STORE, zoe.id, { points: "1", reason: "=HYPERLINK(\"http://x\")", key: crypto.randomUUID() });
    expect(response.status).toBe(200);
    const rows = await exported("ledger", STORE);
    expect(rows.find((row) => row.kind === "manual_adjust" && row.customer_id === "5100005")?.note).toBe("'=HYPERLINK(\"http://x\")");
  });
});
