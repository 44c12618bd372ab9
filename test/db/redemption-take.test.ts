// Taking a redeem's points (startRedemption) with the shop cache on, as in production: on
// PostgreSQL the common case is one statement built from the cached reward and tiers, so it
// must record exactly what the general transaction records, and see every save made since in
// any worker (the shop's programVersion), and every member's tier as it is now.
process.env.SHOP_CACHE_TTL_MS = "600000";

import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";

// The random bytes a discount code is drawn from, when a test decides them (a collision).
const drawnBytes: Buffer[] = [];
vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>();
  return { ...crypto, randomBytes: (size: number) => drawnBytes.shift() ?? crypto.randomBytes(size) };
});

// Imported once the cache is on: app modules read the environment when first imported.
const { default: db } = await import("~/db.server");
const { runtimeEnv } = await import("~/runtime-env.server");
const { sql } = await import("~/sql.server");
const { isRedeemRefusal, startRedemption } = await import("~/loyalty/redemptions.server");
const { saveReward, setRewardEnabled } = await import("~/loyalty/reward-settings.server");
const { saveTier } = await import("~/loyalty/tier-settings.server");
const { commitProgramChange } = await import("~/loyalty/program-versions.server");
const { rewardFromRow } = await import("~/loyalty/rewards");
const { shopForEvents } = await import("~/loyalty/shop-cache.server");
const { balancesMatchLedger } = await import("../support/ledger-queries");
const { deliverWebhook } = await import("../support/routes");
const { orderPayload } = await import("../../dev/simulator/shopify-payloads");

let nextOrder = 7_700_000;
const postgres = runtimeEnv.database.provider === "postgresql";

/** A customer of `shop` holding `points` (a paid order of that many dollars), the shop cached. */
async function customerWith(shop: string, customerId: number, points: number): Promise<bigint> {
  const response = await deliverWebhook(
    "orders/paid",
    orderPayload({
      id: ++nextOrder,
      customer: { id: customerId },
      lines: [{ price: `${points}.00` }],
    }),
    { shop },
  );
  expect(response.status).toBe(200);
  return BigInt(customerId);
}

const take = (shop: string, customerId: bigint, rewardId: number, now = new Date()) =>
  startRedemption(db, sql(), {
    shopDomain: shop,
    customerId,
    rewardId,
    points: undefined,
    actor: `customer:${customerId}`,
    now,
  });

const memberOf = (shop: string, customerId: bigint) =>
  db.member.findUniqueOrThrow({
    where: { shopDomain_customerId: { shopDomain: shop, customerId } },
  });

/** The statements the driver sends while `run` runs (PostgreSQL; SQLite sends none over a wire). */
async function statementsSent<T>(run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const [first] = args as [string | { text?: string }];
    statements.push(typeof first === "string" ? first : String(first.text));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  try {
    return { result: await run(), statements };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("taking a redeem's points", () => {
  it("records the redemption, its ledger row and the member's new balance; on PostgreSQL in one round trip", async () => {
    const shop = "take-one.myshopify.com";
    const customerId = await customerWith(shop, 7_710_001, 1_200);
    const reward = await db.reward.findFirstOrThrow({
      where: { shopDomain: shop },
    });
    const before = await memberOf(shop, customerId);
    const now = new Date("2026-11-30T12:00:00.000Z");

    const { result: started, statements } = await statementsSent(() => take(shop, customerId, reward.id, now));
    if (isRedeemRefusal(started)) throw new Error(started.message);
    // One round trip: the member's row locked and one statement, with BEGIN and COMMIT, no read
    // before them (the shop was cached by the order).
    if (postgres) {
      expect(statements.map((statement) => statement.split(/\s/)[0])).toEqual(["BEGIN", "SELECT", "WITH", "COMMIT"]);
      expect(statements[1]).toMatch(/FOR UPDATE$/);
    }

    expect(started.member).toMatchObject({
      id: before.id,
      balance: 700n,
      summaryVersion: before.summaryVersion + 1,
    });
    expect(started.reward).toEqual(rewardFromRow(reward));
    const stored = await db.redemption.findUniqueOrThrow({
      where: { id: started.redemption.id },
    });
    expect(stored).toEqual({
      ...started.redemption,
      updatedAt: stored.updatedAt,
    });
    expect(stored).toMatchObject({
      shopDomain: shop,
      memberId: before.id,
      rewardId: reward.id,
      kind: "fixed_amount",
      title: reward.title,
      pointsSpent: 500n,
      amountMinor: 500n,
      amountExponent: 2,
      status: "pending",
      attempts: 1,
      settleAfter: BigInt(now.getTime() + 60_000),
      attemptStartedAt: now,
      createdAt: now,
    });
    expect(stored.code).toMatch(/^TALLY-[A-Z2-9]{10}$/);
    expect(JSON.parse(stored.reward)).toEqual(rewardFromRow(reward));

    const ledger = await db.ledgerEntry.findMany({
      where: { memberId: before.id, kind: "redeem" },
    });
    expect(ledger).toEqual([
      expect.objectContaining({
        shopDomain: shop,
        delta: -500n,
        status: "available",
        sourceType: "reward",
        sourceId: String(stored.id),
        actor: `customer:${customerId}`,
        note: reward.title,
        idempotencyKey: `redemption:${stored.id}:redeem`,
        createdAt: now,
      }),
    ]);
    const after = await memberOf(shop, customerId);
    expect(after).toMatchObject({
      balance: 700n,
      summaryVersion: before.summaryVersion + 1,
      lastActivityMs: BigInt(now.getTime()),
    });
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("refuses what the balance does not cover, changing nothing, and explains why", async () => {
    const shop = "take-short.myshopify.com";
    const customerId = await customerWith(shop, 7_710_002, 499);
    const reward = await db.reward.findFirstOrThrow({
      where: { shopDomain: shop },
    });
    const before = await memberOf(shop, customerId);

    expect(await take(shop, customerId, reward.id)).toMatchObject({
      refused: true,
      status: 409,
      code: "not_enough_points",
    });
    expect(await memberOf(shop, customerId)).toEqual(before);
    expect(await db.redemption.count({ where: { memberId: before.id } })).toBe(0);
    expect(
      await db.ledgerEntry.count({
        where: { memberId: before.id, kind: "redeem" },
      }),
    ).toBe(0);
  });

  it("redeems a reward as another worker saved it last: at its new cost, and not at all once disabled", async () => {
    const shop = "take-saved.myshopify.com";
    const customerId = await customerWith(shop, 7_710_003, 2_000);
    const reward = await db.reward.findFirstOrThrow({
      where: { shopDomain: shop },
    });
    // This process holds the shop as the order left it.
    expect((await shopForEvents(db, shop, null)).rewards.map(({ id, costPoints }) => ({ id, costPoints }))).toEqual([{ id: reward.id, costPoints: 500 }]);

    // Another worker raises the cost (the versioned save, with no word to this process's cache).
    expect(await saveReward(db, shop, reward.id, { ...rewardFromRow(reward), costPoints: 800 }, { actor: "other-worker" })).toMatchObject({ ok: true });
    const raised = await take(shop, customerId, reward.id);
    if (isRedeemRefusal(raised)) throw new Error(raised.message);
    expect(raised.redemption.pointsSpent).toBe(800n);
    expect(raised.member.balance).toBe(1_200n);

    // And then disables it.
    expect(
      await setRewardEnabled(db, shop, reward.id, false, {
        actor: "other-worker",
      }),
    ).toBe(true);
    expect(await take(shop, customerId, reward.id)).toMatchObject({
      refused: true,
      status: 422,
      code: "reward_unavailable",
    });
    expect((await memberOf(shop, customerId)).balance).toBe(1_200n);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("gives a tier's reward to members holding that tier or a higher one, as they hold it now", async () => {
    const shop = "take-tiers.myshopify.com";
    const silverCustomer = await customerWith(shop, 7_710_004, 3_000);
    const goldCustomer = await customerWith(shop, 7_710_005, 3_000);
    const silver = await saveTier(db, shop, null, { name: "Silver", thresholdPoints: 1_000, multiplierPercent: 100 }, { actor: "admin" });
    const gold = await saveTier(db, shop, null, { name: "Gold", thresholdPoints: 5_000, multiplierPercent: 100 }, { actor: "admin" });
    if (!silver.ok || !gold.ok) throw new Error("tiers not saved");
    const saved = await saveReward(
      db,
      shop,
      null,
      {
        ...rewardFromRow(await db.reward.findFirstOrThrow({ where: { shopDomain: shop } })),
        id: undefined,
        title: "Silver's 5 off",
        tierId: silver.tierId,
      },
      { actor: "admin" },
    );
    if (!saved.ok) throw new Error("reward not saved");
    // Tiers held as the recalculation would set them.
    const hold = (customerId: bigint, tierId: number | null) =>
      db.member.update({
        where: { shopDomain_customerId: { shopDomain: shop, customerId } },
        data: { tierId },
      });
    await hold(silverCustomer, silver.tierId);
    await hold(goldCustomer, gold.tierId);

    for (const customerId of [silverCustomer, goldCustomer]) {
      const started = await take(shop, customerId, saved.rewardId);
      if (isRedeemRefusal(started)) throw new Error(started.message);
      expect(started.member.balance).toBe(2_500n);
    }
    // The tier lost since this process cached the shop: refused, nothing taken.
    await hold(silverCustomer, null);
    expect(await take(shop, silverCustomer, saved.rewardId)).toMatchObject({
      refused: true,
      status: 422,
      code: "reward_unavailable",
    });
    expect((await memberOf(shop, silverCustomer)).balance).toBe(2_500n);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("draws a code again when it collides with one the shop already has", async () => {
    const shop = "take-collision.myshopify.com";
    const customerId = await customerWith(shop, 7_710_006, 1_500);
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: shop } });
    const taken = Buffer.alloc(10, 7);
    drawnBytes.push(taken);
    const first = await take(shop, customerId, reward.id);
    if (isRedeemRefusal(first)) throw new Error(first.message);

    // The same bytes again, then others: the second redemption gets a code of its own.
    drawnBytes.push(taken, Buffer.alloc(10, 9));
    const second = await take(shop, customerId, reward.id);
    if (isRedeemRefusal(second)) throw new Error(second.message);
    expect(drawnBytes).toEqual([]);
    expect(second.redemption.code).not.toBe(first.redemption.code);
    expect(await db.redemption.count({ where: { memberId: first.member.id } })).toBe(2);
    expect((await memberOf(shop, customerId)).balance).toBe(500n);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("holds the hourly limit when one member's redeems arrive together", async () => {
    const shop = "take-hourly.myshopify.com";
    const customerId = await customerWith(shop, 7_710_007, 20_000);
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: shop } });
    // The versioned save, as the admin makes it: a limit of 3 an hour.
    await commitProgramChange(db, shop, { change: "program", actor: "admin" }, async (_tx, program) => ({
      program: { ...program, redemption: { ...program.redemption, maxRedeemsPerHour: 3 } },
      result: null,
    }));
    for (let i = 0; i < 2; i++) expect(isRedeemRefusal(await take(shop, customerId, reward.id))).toBe(false);

    // One more is allowed; of 12 at once, exactly one is taken and the rest are refused 429. On
    // PostgreSQL another transaction holds the member's row until all 12 have started, so that
    // they all wait for it: each must still count what the ones before it committed.
    const holder = postgres ? new pg.Client({ connectionString: runtimeEnv.database.url }) : null;
    if (holder) {
      await holder.connect();
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "Member" WHERE "shopDomain" = $1 AND "customerId" = $2 FOR UPDATE`, [shop, customerId]);
    }
    const taking = Promise.all(Array.from({ length: 12 }, () => take(shop, customerId, reward.id)));
    if (holder) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query("COMMIT");
      await holder.end();
    }
    const results = await taking;
    const refusals = results.filter(isRedeemRefusal);
    expect(results.length - refusals.length).toBe(1);
    expect(new Set(refusals.map((refusal) => `${refusal.status} ${refusal.code}`))).toEqual(new Set(["429 too_many_redeems"]));
    const member = await memberOf(shop, customerId);
    expect(await db.redemption.count({ where: { memberId: member.id } })).toBe(3);
    expect(member.balance).toBe(20_000n - 3n * 500n);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });
});
