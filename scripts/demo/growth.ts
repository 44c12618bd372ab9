// The demo's program growth: a VIP tier upgrade and a referral credit, through the same signed
// webhooks as the rest of the story. Hedy's first order crosses the Diamond threshold; the tier
// recalculation (a background job of the app) records her tier, and her next order earns under
// its multiplier. Mary, a new customer, orders with Hedy's referral code on the cart; the app
// credits Hedy the referral reward. Printed: the tier before and after with the multiplier each
// order earned under, and the referral; each a check that fails if the app misbehaves.
import type { Db } from "../../app/db.server";
import type { Check } from "./report";
import {
  DEMO_SHOP,
  DIAMOND_TIER,
  fullName,
  GROWTH_CUSTOMERS,
  growthCustomerDeliveries,
  orderDelivery,
  REFERRER_POINTS,
  referredOrder,
  TIER_ORDER,
  TIERED_ORDER,
  type Delivery,
} from "./scenario";
import { mark, printTable } from "./table";

export interface DemoGrowthOptions {
  /** Delivers one webhook as Shopify would; answers its status. */
  deliver: (delivery: Delivery) => Promise<{ status: number; body: string }>;
  withDatabase: <T>(work: (db: Db) => Promise<T>) => Promise<T>;
}

const { referrer, friend } = GROWTH_CUSTOMERS;
const JOB_WAIT_MS = 20_000;

export async function demoGrowth(options: DemoGrowthOptions): Promise<Check[]> {
  const { withDatabase } = options;
  const checks: Check[] = [];
  console.log(`\nProgram growth: a VIP tier upgrade and a referral credit`);

  const tierBefore = (await withDatabase((db) => readGrowth(db))).tierName;
  const sent: Delivery[] = [
    ...growthCustomerDeliveries(),
    orderDelivery(TIER_ORDER, `2,600 points: past ${DIAMOND_TIER.name}'s ${DIAMOND_TIER.thresholdPoints}`),
    orderDelivery(TIERED_ORDER, `earns under ${DIAMOND_TIER.name} (×${DIAMOND_TIER.multiplierPercent}%)`),
  ];
  const statuses: number[] = [];
  for (const delivery of sent) statuses.push((await options.deliver(delivery)).status);
  // Hedy's code exists once the app knows her: the widget would put it on Mary's cart.
  const code = await withDatabase(async (db) => (await db.member.findUnique({ where: { shopDomain_customerId: { shopDomain: DEMO_SHOP, customerId: BigInt(referrer.id) } } }))?.referralCode);
  if (code) {
    const referred = orderDelivery(referredOrder(code), `first order with tally_referral=${code}`);
    sent.push(referred);
    statuses.push((await options.deliver(referred)).status);
  }
  for (const [index, delivery] of sent.entries()) console.log(`  ${delivery.topic.padEnd(16)}  ${delivery.subject.padEnd(34)}  ${statuses[index]} ${mark(statuses[index] === 200)}  ${delivery.note}`.trimEnd());
  checks.push({ ok: code !== undefined && statuses.every((status) => status === 200), label: `the growth deliveries (${sent.length}) answered 200` });

  // The tier recalculation runs after the deliveries' commits, as a job: wait for it.
  const deadline = Date.now() + JOB_WAIT_MS;
  let state = await withDatabase((db) => readGrowth(db));
  const settled = () => state.tierName === DIAMOND_TIER.name && state.orders.get(TIERED_ORDER.id)?.multiplier === DIAMOND_TIER.multiplierPercent;
  while (!settled() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    state = await withDatabase((db) => readGrowth(db));
  }

  printTable(
    `${fullName(referrer)}'s tier, order by order (${DIAMOND_TIER.name} from ${DIAMOND_TIER.thresholdPoints} points, ×${DIAMOND_TIER.multiplierPercent}%)`,
    [
      { header: "order", value: (row) => row.orderId },
      { header: "amount", value: (row) => row.amount, align: "right" },
      { header: "multiplier", value: (row) => (row.multiplier === null ? "—" : `×${row.multiplier}%`), align: "right" },
      { header: "points", value: (row) => row.points ?? "—" },
      { header: "expected", value: (row) => row.expected },
      { header: "", value: (row) => mark(row.points === row.expected && row.multiplier === row.expectedMultiplier) },
    ],
    [
      { orderId: TIER_ORDER.id, amount: TIER_ORDER.lines[0].price, ...state.orders.get(TIER_ORDER.id), expected: 2600, expectedMultiplier: 100 },
      { orderId: TIERED_ORDER.id, amount: TIERED_ORDER.lines[0].price, ...state.orders.get(TIERED_ORDER.id), expected: 150, expectedMultiplier: DIAMOND_TIER.multiplierPercent },
    ].map((row) => ({ points: null, multiplier: null, ...row })),
  );
  const first = state.orders.get(TIER_ORDER.id);
  const second = state.orders.get(TIERED_ORDER.id);
  // Before: as the app held it when these deliveries began (none on a fresh demo shop; a rerun
  // redelivers the same orders, which change nothing).
  console.log(`  ${fullName(referrer)}'s tier before these deliveries: ${tierBefore ?? "none"}; after: ${state.tierName ?? "none"}`);
  checks.push({
    ok: state.tierName === DIAMOND_TIER.name,
    label: `tier upgrade: ${fullName(referrer)} holds ${state.tierName ?? "no tier"} after crossing ${DIAMOND_TIER.thresholdPoints} points (expected ${DIAMOND_TIER.name})`,
  });
  checks.push({
    ok: first?.points === 2600 && first.multiplier === 100 && second?.points === 150 && second.multiplier === DIAMOND_TIER.multiplierPercent,
    label: `tier multiplier: her first order earned ${first?.points ?? "nothing"} at ×${first?.multiplier ?? "?"}%, the next ${second?.points ?? "nothing"} at ×${second?.multiplier ?? "?"}% (expected 2600 at ×100%, 150 at ×${DIAMOND_TIER.multiplierPercent}%)`,
  });

  console.log(`\n  Referral: ${fullName(friend)}'s first order carried ${fullName(referrer)}'s code ${code ?? "(none)"}`);
  console.log(`    referral ${state.referral ? `${state.referral.status}${state.referral.reason ? ` (${state.referral.reason})` : ""}, ${state.referral.points} points` : "not recorded"}; ledger: ${state.referralEntry ? `${state.referralEntry.kind} +${state.referralEntry.delta} under ${state.referralEntry.key}` : "no referral row"}`);
  console.log(`    ${fullName(referrer)}: balance ${state.balance} = 2600 + 150 + ${REFERRER_POINTS} (expected ${2600 + 150 + REFERRER_POINTS})`);
  checks.push({
    ok: state.referral?.status === "credited" && state.referral.points === REFERRER_POINTS && state.referralEntry?.delta === REFERRER_POINTS,
    label: `referral credit: ${fullName(friend)}'s first paid order credited ${fullName(referrer)} ${state.referralEntry?.delta ?? 0} points (expected ${REFERRER_POINTS}, once)`,
  });
  checks.push({
    ok: state.balance === 2600 + 150 + REFERRER_POINTS && state.friendBalance === 40,
    label: `${fullName(referrer)}'s balance ${state.balance} (expected ${2600 + 150 + REFERRER_POINTS}), ${fullName(friend)}'s ${state.friendBalance} (expected 40)`,
  });
  return checks;
}

async function readGrowth(db: Db) {
  const customer = (id: number) => db.member.findUnique({ where: { shopDomain_customerId: { shopDomain: DEMO_SHOP, customerId: BigInt(id) } } });
  const [member, friendMember, orders] = await Promise.all([
    customer(referrer.id),
    customer(friend.id),
    db.orderSnapshot.findMany({ where: { shopDomain: DEMO_SHOP, orderId: { in: [BigInt(TIER_ORDER.id), BigInt(TIERED_ORDER.id)] } } }),
  ]);
  const tier = member?.tierId ? await db.tier.findUnique({ where: { id: member.tierId } }) : null;
  const referral = await db.referral.findUnique({ where: { shopDomain_referredCustomerId: { shopDomain: DEMO_SHOP, referredCustomerId: BigInt(friend.id) } } });
  const referralEntries = member ? await db.ledgerEntry.findMany({ where: { memberId: member.id, kind: "referral" } }) : [];
  const entry = referralEntries.find((row) => row.idempotencyKey === `referral:${friend.id}`);
  return {
    tierName: tier?.name ?? null,
    balance: member ? Number(member.balance) : null,
    friendBalance: friendMember ? Number(friendMember.balance) : null,
    orders: new Map(orders.map((order) => [Number(order.orderId), { points: Number(order.pointsCredited), multiplier: order.earnMultiplierPct }])),
    referral: referral ? { status: referral.status, reason: referral.reason, points: referral.points } : null,
    // Exactly one referral row for Mary, whatever the number of runs.
    referralEntry: entry && referralEntries.length === 1 ? { kind: entry.kind, delta: Number(entry.delta), key: entry.idempotencyKey } : null,
  };
}
