// What the demo shop's database holds after the deliveries, printed next to what the rules say
// it must hold. Every comparison is a check: the demo exits non-zero if one fails.
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

async function readShop(db: Db, shop: string) {
  const [members, ledger, orders] = await Promise.all([
    db.member.findMany({ where: { shopDomain: shop }, orderBy: { customerId: "asc" } }),
    db.ledgerEntry.findMany({
      where: { shopDomain: shop },
      orderBy: { id: "asc" },
      include: { member: { select: { customerId: true, firstName: true, lastName: true } } },
    }),
    db.orderSnapshot.findMany({ where: { shopDomain: shop }, orderBy: { orderId: "asc" } }),
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
  };
}

/** Prints the orders, members and ledger of the shop with their expected values; returns the checks. */
export async function reportShop(db: Db, shop: string): Promise<Check[]> {
  const state = await readShop(db, shop);
  const checks: Check[] = [];

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
    const expected = EXPECTED_BALANCES.get(member.customerId);
    // Lifetime earned moves with the balance here: nothing has been redeemed.
    const ok = expected === undefined || (member.balance === expected && member.lifetimeEarned === expected);
    return { ...member, expected, ok };
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
  checks.push(...ledgerChecks(state.ledger, state.members));
  return checks;
}

function ledgerChecks(
  ledger: readonly ExpectedLedgerEntry[],
  members: readonly { customerId: number; balance: number }[],
): Check[] {
  const sameEntry = (a: ExpectedLedgerEntry, b: ExpectedLedgerEntry) =>
    a.customerId === b.customerId && a.kind === b.kind && a.delta === b.delta && a.key === b.key;
  const missing = EXPECTED_LEDGER.filter((expected) => !ledger.some((entry) => sameEntry(entry, expected)));
  const unexpected = ledger.filter((entry) => !EXPECTED_LEDGER.some((expected) => sameEntry(entry, expected)));
  const checks: Check[] = [
    {
      ok: missing.length === 0 && unexpected.length === 0,
      label:
        `the ledger holds exactly the ${EXPECTED_LEDGER.length} expected entries` +
        [...missing.map((e) => `; missing ${e.key} ${e.delta}`), ...unexpected.map((e) => `; unexpected ${e.key} ${e.delta}`)].join(""),
    },
  ];
  for (const member of members) {
    const sum = ledger.filter((entry) => entry.customerId === member.customerId).reduce((total, entry) => total + entry.delta, 0);
    if (sum !== member.balance) {
      checks.push({ ok: false, label: `customer ${member.customerId}: balance ${member.balance} ≠ ledger sum ${sum}` });
    }
  }
  if (checks.length === 1) checks.push({ ok: true, label: "every balance equals the sum of its ledger entries" });
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
