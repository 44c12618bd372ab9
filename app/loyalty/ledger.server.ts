// The order ledger: every order delivery is merged into the order's snapshot, and the member is
// credited (or debited) the difference between what the order is now worth and what it has been
// credited, as one ledger row, in one transaction.
//
// This is the hot path of the app (every order webhook), so it runs as plain SQL through the
// driver instead of Prisma: the transaction is written once, as a generator that yields batches
// of independent statements and receives their rows, and the database layer runs it
// (app/sql-transaction.server.ts). The SQL is the subset both databases share (ON CONFLICT,
// RETURNING, double-quoted identifiers); tables and columns are Prisma's (prisma/schema.prisma).
import type { Db } from "~/db.server";
import type { SqlConnection } from "~/sql.server";
import { nothing, RolledBack, row, rows, runSqlTransactionWithRetries, storedMs, type Query, type Row, type SqlTransaction } from "~/sql-transaction.server";
import { earningRate } from "./earning";
import { pointsEarnedEvent } from "./flow-events";
import { flowEventInsert } from "./flow-event-rows.server";
import { newReferralCode, profileColumns, type CustomerProfile, type MemberFacts } from "./members.server";
import {
  ledgerEntryFor,
  mergeOrderEvent,
  orderPoints,
  type OrderEvent,
  type OrderFacts,
  type OrderVersion,
  type RefundFact,
  type ShopifyId,
} from "./order";
import { parseProgram, type Program } from "./program";
import { tiersAsRecorded, type VersionedTier } from "./program-versions";
import { forgetShop, programVersionOf, programVersionRead, StaleShop, withCurrentShop, type ShopForEvents } from "./shop-cache.server";
import { currencyExponent } from "./money";
import { placedAfter, type Placement } from "./tier-timeline";
import { hasEntryPerks, tiersEntered } from "./tier-perks";
import { tierChangedEvent } from "./flow-events";
import { tierForNewOrder, type TierWithPerks } from "./tiers";

/** A delivery as the Shopify adapter parsed it; the earning rate is looked up here. */
export type OrderDelivery =
  | { kind: "paid" | "updated" | "cancelled"; order: OrderVersion; customer?: CustomerProfile | null }
  | { kind: "refund"; refund: RefundFact; currency: string | null };

export interface OrderEventResult {
  orderId: ShopifyId;
  /** Points this delivery added (negative: took back); 0 for a duplicate or no-op. */
  delta: number;
  pointsCredited: number;
  /** The member who holds the order's points (null: none yet). */
  memberId: number | null;
  /** Whether any member's balance changed (this delivery's delta, or points moving with the order). */
  balancesChanged: boolean;
  /** The members changed were flagged for the tier recalculation (the shop has VIP tiers, and the delivery may change what it decides). */
  tiersOn: boolean;
  /** A Shopify Flow trigger was recorded: the flow-triggers job should send it. */
  flowEvents: boolean;
}

/** The webhook event a delivery came as, recorded in the same transaction as its effect. */
export interface DeliveredEvent {
  eventId: string;
  topic: string;
}

export async function recordOrderEvent(
  db: Db,
  connection: SqlConnection,
  shopDomain: string,
  delivery: OrderDelivery,
  actor: string,
  event: DeliveredEvent | null = null,
): Promise<OrderEventResult> {
  const currency = delivery.kind === "refund" ? delivery.currency : delivery.order.currency;
  // The cached shop's version is checked inside the transaction (orderDeliveryTransaction).
  const record = (delivered: OrderDelivery) =>
    withCurrentShop(db, shopDomain, currency, (shop) =>
      runSqlTransactionWithRetries(
        connection,
        () => orderDeliveryTransaction({ shop, delivery: delivered, actor, event, now: new Date() }),
        // The shop was deleted (shop/redact) since it was cached: create it again.
        (reason) => reason === "missing_reference" && forgetShop(shopDomain),
      ),
    );
  const result = await record(delivery);
  if (result !== REDACTED_CUSTOMER || delivery.kind === "refund") return result as OrderEventResult;
  // customers/redact erased the customer it names: the order is kept as a guest's, nothing of them stored.
  const asGuest = await record({ ...delivery, order: { ...delivery.order, customerId: null }, customer: null });
  if (asGuest === REDACTED_CUSTOMER) throw new Error("a guest delivery was taken for an erased customer's");
  return asGuest;
}

/** What the transaction answers, having done nothing, for a delivery naming an erased customer. */
const REDACTED_CUSTOMER = Symbol("redacted customer");

/** Whether customers/redact erased the customer (a row: yes), for a transaction's read batch. */
export function redactedCustomerRead(shopDomain: string, customerId: ShopifyId): Query {
  return row(`SELECT 1 AS "redacted" FROM "RedactedCustomer" WHERE "shopDomain" = ? AND "customerId" = ?`, [shopDomain, customerId]);
}

// ---------------------------------------------------------------------------------------------
// The transaction, written once for both databases.

/** Yields batches of statements that do not depend on each other; receives their results. */
type Transaction = SqlTransaction<OrderEventResult | StaleShop | typeof REDACTED_CUSTOMER>;

interface TransactionInput {
  shop: ShopForEvents;
  delivery: OrderDelivery;
  actor: string;
  event: DeliveredEvent | null;
  now: Date;
}

function* orderDeliveryTransaction({ shop, delivery, actor, event: delivered, now }: TransactionInput): Transaction {
  const shopDomain = shop.domain;
  const orderId = delivery.kind === "refund" ? delivery.refund.orderId : delivery.order.orderId;
  const tiersOn = shop.tiers.length > 0;

  // Every delivery for the order writes its snapshot row first: the row lock serialises
  // concurrent deliveries of one order on PostgreSQL.
  const [snapshot] = (yield [
    row(
      `INSERT INTO "OrderSnapshot" ("shopDomain", "orderId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?)
       ON CONFLICT ("shopDomain", "orderId") DO UPDATE SET "lockVersion" = "OrderSnapshot"."lockVersion" + 1
       RETURNING *`,
      [shopDomain, orderId, now, now],
    ),
  ]) as [Row];
  const lockVersion = Number(snapshot.lockVersion);

  // Then, in one batch: the refunds known so far (none if the snapshot was just created) and the
  // member (a customer seen for the first time becomes one).
  const reads: Query[] = [];
  if (lockVersion > 0) {
    reads.push(rows(`SELECT ${REFUND_FACT_COLUMNS} FROM "OrderRefund" WHERE "shopDomain" = ? AND "orderId" = ?`, [shopDomain, orderId]));
  }
  let knownCustomer: ShopifyId | null = null;
  let memberRead = -1;
  let redactedRead = -1;
  if (delivery.kind !== "refund") {
    knownCustomer = delivery.order.customerId ?? id(snapshot.customerId);
    if (knownCustomer !== null) {
      memberRead = reads.push(memberUpsert(shopDomain, knownCustomer, delivery.customer ?? {}, now)) - 1;
      // In the same batch: an erased customer's delivery ends here, undone, and runs again as a guest's.
      if (delivery.order.customerId !== null) redactedRead = reads.push(redactedCustomerRead(shopDomain, delivery.order.customerId)) - 1;
    }
  }
  // A paid order earns under the program version in force when it was placed (its processed_at,
  // the earliest seen), however late its webhook comes; at this delivery when Shopify sent none.
  // Read once: the first paid delivery fixes the order's rate (and pending period) for good.
  let versionRead: number | null = null;
  const firstPaid = delivery.kind === "paid" && snapshot.earnPoints === null;
  if (firstPaid) {
    const placedAt = [timestamp(snapshot.processedAt), delivery.order.processedAt ?? null].filter((ms): ms is number => ms !== null);
    versionRead = reads.push(programInForce(shopDomain, placedAt.length > 0 ? Math.min(...placedAt) : now.getTime())) - 1;
  }
  // And the shop's stored programVersion: the cached shop (its tiers, whether it has any, its
  // referral rules) is the current one only while it is the cached one. When it is not, nothing
  // is done and the delivery runs again with the shop read afresh (withCurrentShop).
  const storedVersionRead = reads.push(programVersionRead(shopDomain)) - 1;
  const readResults = yield reads;
  const storedVersion = programVersionOf(readResults[storedVersionRead] as Row | undefined);
  if (storedVersion !== shop.programVersion) return new RolledBack(new StaleShop(storedVersion));
  if (redactedRead >= 0 && readResults[redactedRead] !== undefined) return new RolledBack(REDACTED_CUSTOMER);
  const refunds = lockVersion > 0 ? (readResults[0] as Row[]) : [];
  const member = memberRead >= 0 ? memberFrom(readResults[memberRead] as Row) : null;
  const before = factsFromRows(orderId, snapshot, refunds);
  const versionRow = versionRead === null ? undefined : (readResults[versionRead] as Row | undefined);
  const inForce = versionRow ? versionInForce(versionRow) : null;
  const program = inForce ? inForce.program : shop.program;

  const event = orderEventFor(delivery, shop, program, member ?? { tierId: null, tierActivity: 0 });
  const after = mergeOrderEvent(before, event);
  const target = orderPoints(after);
  const credited = Number(snapshot.pointsCredited);
  const delta = target - credited;

  // Who holds the order's points: the member of its current customer. The holder column is that
  // member (or null), so a refund or an unchanged customer needs no member lookup. Only when
  // the customer is one this delivery did not load (an older version naming someone else
  // arrived after a newer one, or a row from before the column) is the owner read here.
  const holder = snapshot.holderMemberId === null || snapshot.holderMemberId === undefined ? null : Number(snapshot.holderMemberId);
  let owner: number | null = null;
  if (after.customerId !== null) {
    if (holder !== null && before.customerId === after.customerId) owner = holder;
    else if (member !== null && knownCustomer === after.customerId) owner = member.id;
    else if (target !== 0) owner = memberFrom(((yield [memberUpsert(shopDomain, after.customerId, {}, now)]) as [Row])[0]).id;
  }

  // The ledger rows and balance changes. When the order changed customer, the points it has
  // credited move from the old holder to the new one (two rows), and the delivery's own change
  // is then the new holder's; an order now worth nothing is settled with the old holder.
  const move = credited !== 0 && holder !== null && owner !== null && owner !== holder && target !== 0 ? { from: holder, to: owner } : null;

  // With a pending period, the order's points wait until processed_at plus the period; every
  // change before the release job runs is pending too (a refund in the period takes from pending).
  const pendingUntil = pendingUntilOf(snapshot, program.pendingDays, credited, target, after.processedAt, now);
  const status = pendingUntil !== null && !snapshot.pendingReleased ? "pending" : "available";
  const balanceColumn = status === "pending" ? "pendingBalance" : "balance";
  const settledBy = move ? move.to : credited !== 0 && holder !== null ? holder : owner;
  const changes: { memberId: number; delta: number; key: string; kind: string; sourceType: string; sourceId: string; onConflict: boolean }[] = [];
  if (move) {
    // The snapshot version numbers the move: unique per order, so the keys are new.
    const key = `order:${orderId}:move:${lockVersion}`;
    const moved = { kind: "order_move", sourceType: "order", sourceId: String(orderId), onConflict: false };
    changes.push({ memberId: move.from, delta: -credited, key: `${key}:out`, ...moved });
    changes.push({ memberId: move.to, delta: credited, key: `${key}:in`, ...moved });
  }
  if (delta !== 0 && settledBy !== null) {
    const entry = ledgerEntryFor(event, before, after);
    changes.push({ memberId: settledBy, delta, key: entry.key, kind: entry.kind, sourceType: entry.sourceType, sourceId: entry.sourceId, onConflict: true });
  }

  // The writes, in one batch.
  const writes: Query[] = [];
  if (event.kind === "refund" && !before.refunds.has(event.refund.refundId)) {
    writes.push(
      nothing(
        `INSERT INTO "OrderRefund" ("shopDomain", "refundId", "orderId", "subtotalMinor", "taxMinor", "amountExponent", "refundedAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [shopDomain, event.refund.refundId, orderId, event.refund.subtotalMinor, event.refund.taxMinor, event.refund.amountExponent, dateOrNull(event.refund.refundedAt), now],
      ),
    );
  }
  writes.push(
    nothing(
      `UPDATE "OrderSnapshot" SET "paidAt" = ?, "cancelledAt" = ?, "customerId" = ?, "customerUpdatedAt" = ?, "holderMemberId" = ?,
         "currency" = ?, "taxesIncluded" = ?, "versionUpdatedAt" = ?, "eligibleMinor" = ?, "amountExponent" = ?, "earnPoints" = ?,
         "earnPerMajorUnits" = ?, "earnMultiplierPct" = ?, "pointsCredited" = ?, "processedAt" = ?, "shopifyCancelledAt" = ?, "pendingUntil" = ?, "updatedAt" = ?
       WHERE "shopDomain" = ? AND "orderId" = ?`,
      [
        after.paid ? storedOrNow(snapshot.paidAt, now) : null,
        after.cancelled ? storedOrNow(snapshot.cancelledAt, now) : null,
        after.customerId,
        after.customerUpdatedAt === null ? null : new Date(after.customerUpdatedAt),
        owner,
        after.currency,
        after.taxesIncluded,
        after.versionUpdatedAt === null ? null : new Date(after.versionUpdatedAt),
        after.eligibleMinor,
        after.amountExponent,
        after.rate?.points ?? null,
        after.rate?.perMajorUnits ?? null,
        after.rate?.multiplierPct ?? null,
        target,
        dateOrNull(after.processedAt),
        dateOrNull(after.cancelledAt),
        dateOrNull(pendingUntil),
        now,
        shopDomain,
        orderId,
      ],
    ),
  );
  if (delivered) {
    // The event is handled once this commits: a repeated delivery is skipped before parsing
    // (app/shopify/webhook-events.server.ts). Part of this transaction, so it is recorded exactly
    // when the change is, at the cost of one more statement in a batch that is sent anyway.
    writes.push(
      nothing(`INSERT INTO "WebhookEvent" ("shopDomain", "eventId", "topic", "receivedAt") VALUES (?, ?, ?, ?) ON CONFLICT ("shopDomain", "eventId", "topic") DO NOTHING`, [
        shopDomain,
        delivered.eventId,
        delivered.topic,
        now,
      ]),
    );
  }
  const rowFor = (change: (typeof changes)[number]) => [shopDomain, change.memberId, change.delta, change.kind, status, change.sourceType, change.sourceId, actor];
  const ledgerIndexes: number[] = [];
  for (const change of changes) {
    ledgerIndexes.push(writes.length);
    writes.push(
      change.onConflict
        ? row(
            `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey", "createdAt")
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("shopDomain", "idempotencyKey") DO NOTHING RETURNING "id"`,
            [...rowFor(change), change.key, now],
          )
        : row(
            `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey", "createdAt")
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
            [...rowFor(change), change.key, now],
          ),
    );
  }
  // One balance update per member touched; each new balance must also reach the storefront's
  // customer metafield (customer-summary.server.ts), so each bumps the member's summaryVersion.
  const balanceChanges = new Map<number, number>();
  for (const change of changes) balanceChanges.set(change.memberId, (balanceChanges.get(change.memberId) ?? 0) + change.delta);
  // What the order now counts toward tiers changes the holder's tier activity by as much. The
  // tier recalculation recomputes it exactly from all the member's orders (periods, order of
  // arrival, moves); kept current here meanwhile, so the next order's tier guess counts this one.
  const activityChange = move ? 0 : tierActivityOf(after, program, shop.currency) - tierActivityOf(before, program, shop.currency);
  // With tiers, any change to an order may change which tier the holder's other orders earn
  // under (a cancellation worth no points too): the holder is flagged for the recalculation,
  // unless this is an order counted in order whose only effect on tiers, if any, is the tier it
  // takes the member to (written here, as the recalculation would).
  const tierHolder = settledBy ?? owner;
  // Read with this delivery only (its first paid one); none in force at the placement (none
  // recorded before it): it earns under the current program.
  const placedUnderCurrentTiers =
    firstPaid &&
    (inForce === null || tiersInForceAreCurrent(inForce, shop));
  const tiers =
    tiersOn && tierHolder !== null
      ? tierDecision({ event, credited, target, moved: move !== null, member, settledBy, orderId, processedAt: after.processedAt, program, placedUnderCurrentTiers, shop, activityChange })
      : null;
  const flagTiers = tiers?.recalculate === true;
  const reached = tiers !== null && !tiers.recalculate ? tiers.reached : null;
  // The newest placement counted for the member, kept while it is known (null: the recalculation sets it).
  const lastPlaced =
    event.kind === "paid" &&
    credited === 0 &&
    target > 0 &&
    move === null &&
    member !== null &&
    settledBy === member.id &&
    member.lastPlaced !== null &&
    after.processedAt !== null &&
    placedAfter({ at: after.processedAt, orderId }, member.lastPlaced)
      ? { at: after.processedAt, orderId }
      : null;
  for (const [memberId, change] of balanceChanges) {
    const placed = memberId === settledBy && lastPlaced !== null;
    // `reached` is only ever the settling member's (tierDecision).
    const upgraded = memberId === settledBy && reached !== null;
    writes.push(
      nothing(
        `UPDATE "Member" SET "${balanceColumn}" = "${balanceColumn}" + ?, "lifetimeEarned" = "lifetimeEarned" + ?, "tierActivity" = "tierActivity" + ?,
           "summaryVersion" = "summaryVersion" + 1${flagTiers ? `, "tierPending" = TRUE` : ""}${placed ? `, "tierLastPlacedMs" = ?, "tierLastPlacedOrderId" = ?` : ""}${upgraded ? `, "tierId" = ?` : ""}, "lastActivityMs" = ?, "updatedAt" = ? WHERE "id" = ?`,
        [
          change,
          change,
          memberId === settledBy ? activityChange : 0,
          ...(placed ? [BigInt(lastPlaced.at), lastPlaced.orderId] : []),
          ...(upgraded ? [reached.id] : []),
          now.getTime(),
          now,
          memberId,
        ],
      ),
    );
  }
  // A tier reached is a Shopify Flow trigger, keyed by the summaryVersion this delivery leaves
  // (the member's row is this transaction's since its upsert).
  if (reached !== null && member !== null) {
    const previous = shop.tiers.find((tier) => tier.id === member.tierId)?.name ?? null;
    writes.push(flowEventInsert(shopDomain, tierChangedEvent(member.customerId, reached.name, previous, member.summaryVersion + 1), now));
  }
  if (flagTiers && tierHolder !== null && !balanceChanges.has(tierHolder)) {
    writes.push(nothing(`UPDATE "Member" SET "tierPending" = TRUE WHERE "id" = ?`, [tierHolder]));
  }
  // An order earning points is a Shopify Flow trigger, sent by the flow-triggers job after this
  // commits (one per earn key: a repeated delivery adds none).
  for (const change of changes) {
    if (change.kind !== "earn" || change.delta <= 0 || after.customerId === null) continue;
    writes.push(flowEventInsert(shopDomain, pointsEarnedEvent(after.customerId, change.delta, change.kind, change.key), now));
  }
  const written = yield writes;
  const taken = changes.filter((_, i) => !written[ledgerIndexes[i]]);
  if (taken.length > 0) {
    // The event's key is taken: a later delivery of the same event changed the order's points
    // again (two versions with one updated_at, or rules changed between a delivery and its
    // retry). Key the row by the snapshot version, which the row lock makes unique.
    yield taken.map((change) =>
      nothing(
        `INSERT INTO "LedgerEntry" ("shopDomain", "memberId", "delta", "kind", "status", "sourceType", "sourceId", "actor", "idempotencyKey", "createdAt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [...rowFor(change), `${change.key}:v${lockVersion}`, now],
      ),
    );
  }
  return {
    orderId,
    delta,
    pointsCredited: target,
    memberId: settledBy ?? owner,
    balancesChanged: balanceChanges.size > 0,
    tiersOn: flagTiers,
    flowEvents: reached !== null || changes.some((change) => change.kind === "earn" && change.delta > 0 && after.customerId !== null),
  };
}

/** The member columns memberUpsert returns (and memberFactsFromRow reads). */
export const MEMBER_COLUMNS = `"id", "customerId", "firstName", "balance", "pendingBalance", "lifetimeEarned", "referralCode", "birthday", "tierId", "tierActivity", "summaryVersion", "tierPending", "tierLastPlacedMs", "tierLastPlacedOrderId"`;

/** A row of MEMBER_COLUMNS as the driver returns it. */
export function memberFactsFromRow(raw: Row): MemberFacts {
  return {
    id: Number(raw.id),
    customerId: BigInt(raw.customerId as bigint),
    firstName: (raw.firstName as string | null) ?? null,
    balance: BigInt(raw.balance as bigint),
    pendingBalance: BigInt(raw.pendingBalance as bigint),
    lifetimeEarned: BigInt(raw.lifetimeEarned as bigint),
    referralCode: String(raw.referralCode),
    birthday: (raw.birthday as string | null) ?? null,
    tierId: raw.tierId === null || raw.tierId === undefined ? null : Number(raw.tierId),
    tierActivity: BigInt((raw.tierActivity as bigint | number | undefined) ?? 0),
    summaryVersion: Number(raw.summaryVersion ?? 0),
  };
}

/** The member of a customer, created if new (enrolled with a referral code); returns the member's row. */
export function memberUpsert(shopDomain: string, customerId: ShopifyId, profile: CustomerProfile, now: Date): Query {
  // An existing member keeps what we knew; only what was missing is filled in.
  return row(
    `INSERT INTO "Member" ("shopDomain", "customerId", "email", "firstName", "lastName", "emailKey", "firstNameKey", "lastNameKey", "referralCode", "lastActivityMs", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT ("shopDomain", "customerId") DO UPDATE SET
       "email" = COALESCE("Member"."email", excluded."email"),
       "firstName" = COALESCE("Member"."firstName", excluded."firstName"),
       "lastName" = COALESCE("Member"."lastName", excluded."lastName"),
       "emailKey" = COALESCE("Member"."emailKey", excluded."emailKey"),
       "firstNameKey" = COALESCE("Member"."firstNameKey", excluded."firstNameKey"),
       "lastNameKey" = COALESCE("Member"."lastNameKey", excluded."lastNameKey")
     RETURNING ${MEMBER_COLUMNS}`,
    [shopDomain, customerId, ...profileColumns(profile), newReferralCode(), now.getTime(), now, now],
  );
}

/**
 * The newest program version in force at `atMs` (program-versions.ts says the same in
 * TypeScript); no row when the merchant never saved, and then the current program applies.
 */
function programInForce(shopDomain: string, atMs: number): Query {
  return row(
    `SELECT "program", "tiers" FROM "ProgramVersion" WHERE "shopDomain" = ? AND "effectiveAtMs" <= ?
     ORDER BY "effectiveAtMs" DESC, "version" DESC LIMIT 1`,
    [shopDomain, BigInt(atMs)],
  );
}

/** A version's program and tiers as recorded. */
interface VersionInForce {
  program: Program;
  tiers: readonly VersionedTier[] | null;
}

/** Parsed versions by their stored text: a shop's few versions are read by every paid delivery. */
const parsedVersions = new Map<string, VersionInForce>();
const PARSED_VERSIONS_KEPT = 100;

function versionInForce(versionRow: Row): VersionInForce {
  const programText = String(versionRow.program);
  const tiersText = versionRow.tiers === null || versionRow.tiers === undefined ? null : String(versionRow.tiers);
  // Keyed by the text itself (a redacted shop created again reuses version numbers).
  const key = tiersText === null ? programText : `${programText}\n${tiersText}`;
  let parsed = parsedVersions.get(key);
  if (!parsed) {
    if (parsedVersions.size >= PARSED_VERSIONS_KEPT) parsedVersions.clear();
    parsed = { program: parseProgram(programText), tiers: tiersText === null ? null : (JSON.parse(tiersText) as VersionedTier[]) };
    parsedVersions.set(key, parsed);
  }
  return parsed;
}

/**
 * Whether an order placed under `inForce` has its tier decided as the cached (current) tiers and
 * tier settings decide it: the same basis and period, and every tier's threshold and multiplier
 * as they are now (tier-recalc.server.ts reads them per placement the same way).
 */
function tiersInForceAreCurrent(inForce: VersionInForce, shop: ShopForEvents): boolean {
  const then = inForce.program.tiers;
  const now = shop.program.tiers;
  return then.basis === now.basis && then.period === now.period && tiersAsRecorded(inForce.tiers, shop.tiers);
}

/**
 * When the order's points become available (null: at once). Fixed when the order first earns,
 * under the pending period of the program version it earns under; an order whose period is already over when Tally
 * first credits it (a late delivery) is available at once.
 */
function pendingUntilOf(snapshot: Row, pendingDays: number, credited: number, target: number, processedAt: number | null, now: Date): number | null {
  const stored = timestamp(snapshot.pendingUntil);
  if (stored !== null || snapshot.pendingReleased || credited !== 0 || target <= 0 || pendingDays <= 0) return stored;
  const until = (processedAt ?? now.getTime()) + pendingDays * 86_400_000;
  return until > now.getTime() ? until : null;
}

/** What an order counts toward tiers: its points without multiplier, or its amount in minor units (tier-recalc.server.ts's activityOf). */
function tierActivityOf(facts: OrderFacts, program: Program, currency: string | null): number {
  if (facts.rate === null) return 0;
  const rate = program.tiers.basis === "points" ? { ...facts.rate, multiplierPct: 100 } : { points: 10 ** (currency ? currencyExponent(currency) : 2), perMajorUnits: 1, multiplierPct: 100 };
  return orderPoints({ ...facts, rate });
}

/** `program`: the version the order earns under (programInForce), or the current one. */
function orderEventFor(delivery: OrderDelivery, shop: ShopForEvents, program: Program, member: { tierId: number | null; tierActivity: number }): OrderEvent {
  switch (delivery.kind) {
    case "refund":
      return { kind: "refund", refund: delivery.refund };
    case "paid": {
      // The member's tier when the order is paid sets its multiplier (a first guess, which the
      // tier recalculation corrects by the order's place in the member's timeline).
      const tier = tierForNewOrder(member, { tiers: shop.tiers, basis: program.tiers.basis, exponent: shop.currency ? currencyExponent(shop.currency) : 2 });
      // Placed while the program was off: its rate is fixed at nothing, so it never earns.
      const rule = program.enabled ? program.earning : { points: 0, perMajorUnits: 1 };
      return { kind: "paid", order: delivery.order, rate: earningRate(rule, tier?.multiplierPercent ?? 100) };
    }
    default:
      return { kind: delivery.kind, order: delivery.order };
  }
}

/** The OrderSnapshot and OrderRefund columns factsFromRows reads. */
export const ORDER_FACT_COLUMNS = `"orderId", "paidAt", "cancelledAt", "customerId", "customerUpdatedAt", "currency", "taxesIncluded", "versionUpdatedAt",
  "eligibleMinor", "amountExponent", "earnPoints", "earnPerMajorUnits", "earnMultiplierPct", "processedAt", "shopifyCancelledAt"`;
export const REFUND_FACT_COLUMNS = `"refundId", "subtotalMinor", "taxMinor", "amountExponent", "refundedAt"`;

/** An order's facts from its stored rows (as the driver returns them). */
export function factsFromRows(orderId: ShopifyId, snapshot: Row, refunds: Row[]): OrderFacts {
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  const points = number(snapshot.earnPoints);
  const perMajorUnits = number(snapshot.earnPerMajorUnits);
  const multiplierPct = number(snapshot.earnMultiplierPct);
  return {
    orderId,
    paid: snapshot.paidAt !== null,
    cancelled: snapshot.cancelledAt !== null,
    customerId: id(snapshot.customerId),
    customerUpdatedAt: timestamp(snapshot.customerUpdatedAt),
    currency: (snapshot.currency as string | null) ?? null,
    taxesIncluded: Boolean(snapshot.taxesIncluded),
    versionUpdatedAt: timestamp(snapshot.versionUpdatedAt),
    eligibleMinor: number(snapshot.eligibleMinor),
    amountExponent: number(snapshot.amountExponent),
    rate: points === null || perMajorUnits === null || multiplierPct === null ? null : { points, perMajorUnits, multiplierPct },
    refunds: new Map(
      refunds.map((refund) => [
        BigInt(refund.refundId as bigint),
        {
          subtotalMinor: Number(refund.subtotalMinor),
          taxMinor: Number(refund.taxMinor),
          amountExponent: Number(refund.amountExponent),
          refundedAt: timestamp(refund.refundedAt),
        },
      ]),
    ),
    processedAt: timestamp(snapshot.processedAt),
    cancelledAt: timestamp(snapshot.shopifyCancelledAt),
  };
}

/**
 * A stored Shopify id, exactly: SQLite statements here return integers as bigint, PostgreSQL's
 * int8 arrives as a number only when it is exact (sql.server.ts).
 */
function id(value: unknown): ShopifyId | null {
  return value === null || value === undefined ? null : BigInt(value as bigint | number);
}

interface TierFacts {
  id: number;
  customerId: bigint;
  summaryVersion: number;
  tierId: number | null;
  tierActivity: number;
  /** A recalculation is due (tierPending). */
  tierPending: boolean;
  /** The newest placement counted toward the member's tier (null: unknown until the recalculation sets it). */
  lastPlaced: Placement | null;
}

function memberFrom(row: Row): TierFacts {
  return {
    id: Number(row.id),
    customerId: BigInt(row.customerId as bigint | number),
    summaryVersion: Number(row.summaryVersion ?? 0),
    tierId: row.tierId === null || row.tierId === undefined ? null : Number(row.tierId),
    tierActivity: Number(row.tierActivity ?? 0),
    tierPending: Boolean(Number(row.tierPending ?? 0)),
    lastPlaced:
      row.tierLastPlacedMs === null || row.tierLastPlacedMs === undefined
        ? null
        : { at: Number(row.tierLastPlacedMs), orderId: row.tierLastPlacedOrderId === null || row.tierLastPlacedOrderId === undefined ? null : BigInt(row.tierLastPlacedOrderId as bigint | number) },
  };
}

/**
 * What a delivery leaves to the tier recalculation: everything (`recalculate`, the holder is
 * flagged), or nothing. Nothing when the delivery is a paid order's first credit, placed after
 * every order already counted for the member (the timeline's order: processed_at, then the order
 * id), under tiers and tier settings that decide its tier as the cached current ones do, in a
 * lifetime program, for a member whose last recalculation is current: the order earns under the
 * held tier (tierForNewOrder gave it), the activity this delivery added is exact, and the tier the
 * member holds after it is the one `reached` (null: the one held), which the delivery writes
 * with its Flow trigger as the recalculation would. A tier reached whose entry has perks is left
 * to the recalculation (tier-perks.server.ts grants them), as is anything else: refunds,
 * cancellations, moves, late or reordered orders, periods, tiers changed since the placement.
 */
function tierDecision(input: {
  event: OrderEvent;
  credited: number;
  target: number;
  moved: boolean;
  member: TierFacts | null;
  settledBy: number | null;
  orderId: ShopifyId;
  processedAt: number | null;
  program: Program;
  /** The cached shop is current, and the tiers in force at the placement decide as its tiers do. */
  placedUnderCurrentTiers: boolean;
  shop: ShopForEvents;
  activityChange: number;
}): { recalculate: true } | { recalculate: false; reached: TierWithPerks | null } {
  const recalculate = { recalculate: true } as const;
  const { member, program, shop } = input;
  if (input.event.kind !== "paid" || input.credited !== 0 || input.target <= 0 || input.moved) return recalculate;
  if (member === null || input.settledBy !== member.id || member.tierPending || member.lastPlaced === null) return recalculate;
  if (input.processedAt === null || !placedAfter({ at: input.processedAt, orderId: input.orderId }, member.lastPlaced)) return recalculate;
  if (program.tiers.period !== "lifetime" || !input.placedUnderCurrentTiers) return recalculate;
  const scale = { tiers: shop.tiers, basis: program.tiers.basis, exponent: shop.currency ? currencyExponent(shop.currency) : 2 };
  const before = tierForNewOrder(member, scale);
  const after = tierForNewOrder({ tierId: member.tierId, tierActivity: member.tierActivity + input.activityChange }, scale);
  if ((after?.id ?? null) === (before?.id ?? null)) return { recalculate: false, reached: null };
  // The member holds a tier other than the one their activity gives (a recalculation is due), or
  // enters one with perks: the recalculation's.
  if ((before?.id ?? null) !== member.tierId || tiersEntered(shop.tiers, member.tierId, after?.id ?? null).some(hasEntryPerks)) return recalculate;
  return { recalculate: false, reached: shop.tiers.find((tier) => tier.id === after?.id) ?? null };
}

const timestamp = storedMs;

function dateOrNull(ms: number | null | undefined): Date | null {
  return ms === null || ms === undefined ? null : new Date(ms);
}

function storedOrNow(stored: unknown, now: Date): Date {
  const ms = timestamp(stored);
  return ms === null ? now : new Date(ms);
}
