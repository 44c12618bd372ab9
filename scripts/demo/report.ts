// What the demo shop's database holds after the deliveries, printed next to what the rules say
// it must hold. Every comparison is a check: the demo exits non-zero if one fails. Redemptions
// (earlier runs', the storefront's) are no part of the story's orders: their ledger rows are
// matched to the Redemption rows instead, and balances are expected net of what they spent.
import type { Db } from "../../app/db.server";
import { currencyExponent, formatMinorUnits } from "../../app/loyalty/money";
import {
  DEMO_CUSTOMERS,
  EXPECTED_BALANCES,
  EXPECTED_LEDGER,
  EXPECTED_ORDERS,
  fullName,
  type ExpectedLedgerEntry,
} from "./scenario";
import { mark, printTable } from "./table";

export interface Check {
  ok: boolean;
  label: string;
}

/** Ledger kinds written by redemptions (app/loyalty/redemptions.server.ts), not by orders. */
const REDEMPTION_KINDS = new Set(["redeem", "redeem_refund"]);

async function readShop(db: Db, shop: string) {
  const [members, ledger, orders, redemptions] = await Promise.all([
    db.member.findMany({ where: { shopDomain: shop }, orderBy: { customerId: "asc" } }),
    db.ledgerEntry.findMany({
      where: { shopDomain: shop },
      orderBy: { id: "asc" },
      include: { member: { select: { customerId: true, firstName: true, lastName: true } } },
    }),
    db.orderSnapshot.findMany({ where: { shopDomain: shop }, orderBy: { orderId: "asc" } }),
    db.redemption.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" }, include: { member: { select: { customerId: true } } } }),
  ]);
  // Prisma hands back BigInt for money and ids; plain numbers are safe at these sizes.
  return {
    members: members.map((member) => ({
      customerId: Number(member.customerId),
      name: fullName(member),
      email: member.email ?? "",
      balance: Number(member.balance),
      lifetimeEarned: Number(member.lifetimeEarned),
    })),
    ledger: ledger.map((entry) => ({
      customerId: Number(entry.member.customerId),
      member: `${Number(entry.member.customerId)} ${fullName(entry.member)}`,
      kind: entry.kind,
      delta: Number(entry.delta),
      key: entry.idempotencyKey,
    })),
    orders: orders.map((order) => ({
      orderId: Number(order.orderId),
      customerId: order.customerId === null ? null : Number(order.customerId),
      status: order.cancelledAt ? "cancelled" : order.paidAt ? "paid" : "not paid",
      eligible:
        order.eligibleMinor === null || order.currency === null
          ? "—"
          : `${formatMinorUnits(Number(order.eligibleMinor), currencyExponent(order.currency))} ${order.currency}`,
      points: Number(order.pointsCredited),
    })),
    redemptions: redemptions.map((redemption) => ({
      id: redemption.id,
      customerId: Number(redemption.member.customerId),
      status: redemption.status,
      /** What it holds of the balance now: its points, unless they came back. */
      spent: redemption.pointsReturned ? 0 : Number(redemption.pointsSpent),
    })),
  };
}

/** Points each customer's redemptions hold now. */
function spentByCustomer(redemptions: readonly { customerId: number; spent: number }[]): Map<number, number> {
  const spent = new Map<number, number>();
  for (const redemption of redemptions) spent.set(redemption.customerId, (spent.get(redemption.customerId) ?? 0) + redemption.spent);
  return spent;
}

export interface ShopReport {
  checks: Check[];
  /** Each demo customer's balance as it should be now: what the orders earned, less what redemptions hold. */
  expectedBalances: Map<number, number>;
}

/** Prints the orders, members and ledger of the shop with their expected values; returns the checks. */
export async function reportShop(db: Db, shop: string): Promise<ShopReport> {
  const state = await readShop(db, shop);
  const checks: Check[] = [];
  const spent = spentByCustomer(state.redemptions);
  const expectedBalances = new Map([...EXPECTED_BALANCES].map(([customerId, earned]) => [customerId, earned - (spent.get(customerId) ?? 0)]));

  const orderRows = EXPECTED_ORDERS.map((expected) => {
    const actual = state.orders.find((order) => order.orderId === expected.orderId);
    const ok = actual !== undefined && actual.points === expected.points && actual.customerId === expected.customerId;
    return { expected, actual, ok };
  });
  checks.push(summaryCheck("order", orderRows.map((row) => ({ ok: row.ok, name: String(row.expected.orderId) }))));
  printTable(
    "Orders",
    [
      { header: "order", value: (row) => row.expected.orderId },
      { header: "customer", value: (row) => row.actual?.customerId ?? "guest", align: "left" },
      { header: "status", value: (row) => row.actual?.status ?? "missing" },
      { header: "eligible", value: (row) => row.actual?.eligible ?? "—", align: "right" },
      { header: "points", value: (row) => row.actual?.points ?? "—" },
      { header: "expected", value: (row) => row.expected.points },
      { header: "", value: (row) => mark(row.ok) },
    ],
    orderRows,
  );
  console.log("  Worked out by hand (1 point per 1.00 eligible, floored):");
  for (const row of orderRows) console.log(`    ${row.expected.orderId}: ${row.expected.working}`);

  const memberRows = state.members.map((member) => {
    const earned = EXPECTED_BALANCES.get(member.customerId);
    const expected = expectedBalances.get(member.customerId);
    const redeemed = spent.get(member.customerId) ?? 0;
    // Lifetime earned is what the orders earned; redeeming spends from the balance only.
    const ok = earned === undefined || (member.balance === expected && member.lifetimeEarned === earned);
    return { ...member, redeemed, expected, ok };
  });
  checks.push(
    summaryCheck(
      "member",
      DEMO_CUSTOMERS.map((customer) => {
        const row = memberRows.find((member) => member.customerId === customer.id);
        return { ok: row !== undefined && row.ok, name: fullName(customer) };
      }),
      "has the expected balance and lifetime earned",
    ),
  );
  printTable(
    "Members",
    [
      { header: "customer", value: (row) => row.customerId },
      { header: "name", value: (row) => row.name },
      { header: "email", value: (row) => row.email },
      { header: "balance", value: (row) => row.balance },
      { header: "lifetime earned", value: (row) => row.lifetimeEarned },
      { header: "redeemed", value: (row) => row.redeemed },
      // A member the demo did not create (a proxy visit with another id) is shown, not judged.
      { header: "expected", value: (row) => row.expected ?? "—", align: "right" },
      { header: "", value: (row) => (row.expected === undefined ? "" : mark(row.ok)) },
    ],
    memberRows,
  );

  printTable(
    "Ledger",
    [
      { header: "member", value: (row) => row.member },
      { header: "kind", value: (row) => row.kind },
      { header: "delta", value: (row) => (row.delta > 0 ? `+${row.delta}` : String(row.delta)), align: "right" },
      { header: "idempotency key", value: (row) => row.key },
    ],
    state.ledger,
  );
  checks.push(...ledgerChecks(state.ledger, state.members, state.redemptions));
  return { checks, expectedBalances };
}

export function ledgerChecks(
  ledger: readonly ExpectedLedgerEntry[],
  members: readonly { customerId: number; balance: number }[],
  redemptions: readonly { id: number; customerId: number; spent: number }[],
): Check[] {
  const sameEntry = (a: ExpectedLedgerEntry, b: ExpectedLedgerEntry) =>
    a.customerId === b.customerId && a.kind === b.kind && a.delta === b.delta && a.key === b.key;
  // The story's four customers; the growth customers' rows are checked by scripts/demo/growth.ts.
  const orderEntries = ledger.filter((entry) => !REDEMPTION_KINDS.has(entry.kind) && DEMO_CUSTOMERS.some((customer) => customer.id === entry.customerId));
  const missing = EXPECTED_LEDGER.filter((expected) => !orderEntries.some((entry) => sameEntry(entry, expected)));
  const unexpected = orderEntries.filter((entry) => !EXPECTED_LEDGER.some((expected) => sameEntry(entry, expected)));
  const checks: Check[] = [
    {
      ok: missing.length === 0 && unexpected.length === 0,
      label:
        `the ledger holds exactly the ${EXPECTED_LEDGER.length} expected entries for the orders` +
        [...missing.map((e) => `; missing ${e.key} ${e.delta}`), ...unexpected.map((e) => `; unexpected ${e.key} ${e.delta}`)].join(""),
    },
  ];
  // Each redemption's rows (spent, given back) net to what it holds, and no row names another.
  const redemptionEntries = ledger.filter((entry) => REDEMPTION_KINDS.has(entry.kind));
  const strays = redemptionEntries.filter((entry) => {
    const id = Number(/^redemption:(\d+):/.exec(entry.key)?.[1]);
    return !redemptions.some((redemption) => redemption.id === id && redemption.customerId === entry.customerId);
  });
  const wrongNet = redemptions.filter((redemption) => {
    const net = redemptionEntries.filter((entry) => entry.key.startsWith(`redemption:${redemption.id}:`)).reduce((sum, entry) => sum + entry.delta, 0);
    return net !== -redemption.spent;
  });
  if (redemptions.length > 0 || redemptionEntries.length > 0) {
    checks.push({
      ok: strays.length === 0 && wrongNet.length === 0,
      label:
        strays.length === 0 && wrongNet.length === 0
          ? `the ledger's redemption entries (${redemptionEntries.length}) match the redemptions earlier runs or the storefront made (${redemptions.length}), each once`
          : `redemption entries do not match the redemptions: ${[...strays.map((e) => `stray ${e.key}`), ...wrongNet.map((r) => `redemption ${r.id} nets wrong`)].join(", ")}`,
    });
  }
  let outOfBalance = 0;
  for (const member of members) {
    const sum = ledger.filter((entry) => entry.customerId === member.customerId).reduce((total, entry) => total + entry.delta, 0);
    if (sum !== member.balance) {
      outOfBalance++;
      checks.push({ ok: false, label: `customer ${member.customerId}: balance ${member.balance} ≠ ledger sum ${sum}` });
    }
  }
  if (outOfBalance === 0) checks.push({ ok: true, label: "every balance equals the sum of its ledger entries" });
  return checks;
}

/** One line for a group of like checks, naming the ones that failed. */
function summaryCheck(noun: string, results: readonly { ok: boolean; name: string }[], what = "holds the expected points"): Check {
  const failed = results.filter((result) => !result.ok).map((result) => result.name);
  return failed.length === 0
    ? { ok: true, label: `every ${noun} (${results.length}) ${what}` }
    : { ok: false, label: `${failed.length} of ${results.length} ${noun}s differ from what is expected: ${failed.join(", ")}` };
}

export function printChecks(title: string, checks: readonly Check[]): void {
  console.log(`\n${title}`);
  for (const check of checks) console.log(`  ${mark(check.ok)} ${check.label}`);
}
