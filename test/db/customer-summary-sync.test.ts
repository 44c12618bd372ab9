// After a balance change, the member's summary reaches the customer metafield the theme
// extension paints from; a failed write loses nothing and is retried.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import db from "~/db.server";
import { markSummariesSynced, MAX_SUMMARY_ATTEMPTS } from "~/loyalty/customer-summary.server";
import { sql } from "~/sql.server";
import { syncCustomerSummaries } from "~/shopify/customer-summary-sync.server";
import { recalculateMemberTiers } from "~/loyalty/tier-recalc.server";
import { storeOfflineSession } from "../support/admin-session";
import { balanceOf, memberOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { adminApiStandIn, shopifyIsDown, shopifySucceeds, TEST_SHOP_GID } from "../support/shopify-admin-api";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "summary-shop.myshopify.com";
const shopify = adminApiStandIn();

beforeAll(async () => {
  shopify.listen();
  await storeOfflineSession(SHOP);
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.calls.length = 0;
  shopify.answerWith(shopifySucceeds);
});

/** metafieldsSet calls writing metafields with this key ("summary" on customers, with the segment metafields; "program" on the shop). */
const writesOf = (key: string) =>
  shopify.calls.filter((call) => call.query.includes("metafieldsSet") && (call.variables.metafields as { key: string }[]).some((m) => m.key === key));
const summaryWrites = () => writesOf("summary");
const programWrites = () => writesOf("program");

async function pendingCount() {
  const members = await db.member.findMany({ where: { shopDomain: SHOP } });
  return members.filter((member) => member.summaryVersion > member.summarySyncedVersion).length;
}

describe("customer summary metafield", () => {
  it("writes the member's balance and referral link to $app:tally.summary after an order", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_001, customer: { id: 1_200_001 }, lines: [{ price: "42.00" }] }), { shop: SHOP });
    expect(await pendingCount()).toBe(1);

    expect(await syncCustomerSummaries(SHOP)).toEqual({
      written: 1,
      refused: 0,
      program: "written",
      noSession: false,
      failed: false,
      blocked: false,
      runAgainInMs: null,
    });
    expect(summaryWrites()).toHaveLength(1);
    const [call] = summaryWrites();
    expect(call.shop).toBe(SHOP);
    expect(call.accessToken).toBe("totally_real_token");
    expect(call.query).toContain("metafieldsSet");
    const [metafield] = call.variables.metafields as { ownerId: string; namespace: string; key: string; type: string; value: string }[];
    expect(metafield).toMatchObject({ ownerId: "gid://shopify/Customer/1200001", namespace: "$app:tally", key: "summary", type: "json" });
    const member = await memberOf(db, 1_200_001, SHOP);
    expect(JSON.parse(metafield.value)).toMatchObject({
      version: member!.summaryVersion,
      balance: 42,
      pendingBalance: 0,
      lifetimeEarned: 42,
      tier: null,
      nextTier: null,
      progress: null,
      referralUrl: `https://${SHOP}/?ref=${member!.referralCode}`,
      redemptions: [],
      referrals: { referred: 0, converted: 0, pointsEarned: 0 },
      birthday: null,
    });
    expect(await pendingCount()).toBe(0);
  });

  it("rewrites the summary when a code it lists is used, so the storefront stops offering it", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_051, customer: { id: 1_200_051 }, lines: [{ price: "700.00" }] }), { shop: SHOP });
    const member = (await memberOf(db, 1_200_051, SHOP))!;
    const reward = await db.reward.findFirstOrThrow({ where: { shopDomain: SHOP } });
    await db.redemption.create({
      data: { shopDomain: SHOP, memberId: member.id, rewardId: reward.id, kind: reward.kind, title: reward.title, reward: "{}", pointsSpent: 500n, amountExponent: 2, status: "issued", code: "TALLY-SUMMARY01" },
    });
    await db.member.update({ where: { id: member.id }, data: { summaryVersion: { increment: 1 } } });
    await syncCustomerSummaries(SHOP);
    const listed = JSON.parse((summaryWrites().at(-1)!.variables.metafields as { value: string }[])[0].value);
    expect(listed.redemptions.map((redemption: { code: string }) => redemption.code)).toEqual(["TALLY-SUMMARY01"]);

    // An order uses the code: the summary's version moves and the code leaves it.
    const order = { ...orderPayload({ id: 1_100_052, customer: { id: 1_200_051 }, lines: [{ price: "10.00" }] }), discount_codes: [{ code: "TALLY-SUMMARY01", amount: "5.00", type: "fixed_amount" }] };
    await deliverWebhook("orders/paid", order, { shop: SHOP });
    await syncCustomerSummaries(SHOP);
    const after = JSON.parse((summaryWrites().at(-1)!.variables.metafields as { value: string }[])[0].value);
    expect(after.version).toBeGreaterThan(listed.version);
    expect(after.redemptions).toEqual([]);
    expect(after.version).toBe((await memberOf(db, 1_200_051, SHOP))!.summaryVersion);
  });

  it("rewrites both members' summaries when an order changes customer", async () => {
    const order = { id: 1_100_040, customer: { id: 1_200_040 }, lines: [{ price: "25.00" }] };
    await deliverWebhook("orders/paid", orderPayload(order), { shop: SHOP });
    await syncCustomerSummaries(SHOP);
    shopify.calls.length = 0;

    await deliverWebhook("orders/updated", orderPayload({ ...order, customer: { id: 1_200_041 }, updatedAt: "2026-11-21T09:00:00-05:00" }), { shop: SHOP });
    expect(await pendingCount()).toBe(2);
    expect((await syncCustomerSummaries(SHOP)).written).toBe(2);
    const written = summaryWrites().flatMap((call) => call.variables.metafields as { ownerId: string; value: string }[]);
    const balanceOn = (customer: number) => JSON.parse(written.find((metafield) => metafield.ownerId === `gid://shopify/Customer/${customer}`)!.value).balance;
    expect([balanceOn(1_200_040), balanceOn(1_200_041)]).toEqual([0, 25]);
  });

  it("keeps points and retries when Shopify is down", async () => {
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_002, customer: { id: 1_200_002 }, lines: [{ price: "80.00" }] }), { shop: SHOP });
    await deliverWebhook("refunds/create", refundPayload({ id: 1_100_102, orderId: 1_100_002, lines: [{ line: 0, quantity: 1, subtotal: "20.00" }] }), { shop: SHOP });
    shopify.answerWith(shopifyIsDown);
    const failed = await syncCustomerSummaries(SHOP);
    expect(failed.failed).toBe(true);
    expect(await balanceOf(db, 1_200_002, SHOP)).toBe(60);
    expect(await pendingCount()).toBe(1);

    shopify.answerWith(shopifySucceeds);
    expect((await syncCustomerSummaries(SHOP)).written).toBe(1);
    const last = summaryWrites().at(-1)!;
    const [metafield] = last.variables.metafields as { value: string }[];
    expect(JSON.parse(metafield.value).balance).toBe(60);
    expect(await pendingCount()).toBe(0);
  });

  it("marks a member synced only when Shopify wrote it: one refused customer (metafieldsSet is atomic) holds up nobody", async () => {
    const ids = [1_200_010, 1_200_011, 1_200_012];
    for (const [i, customerId] of ids.entries()) {
      await deliverWebhook("orders/paid", orderPayload({ id: 1_100_010 + i, customer: { id: customerId }, lines: [{ price: `${10 * (i + 1)}.00` }] }), { shop: SHOP });
    }
    // The second customer was deleted (or merged) in Shopify: a call that names it writes nothing.
    shopify.removeOwner("gid://shopify/Customer/1200011");
    const result = await syncCustomerSummaries(SHOP);
    expect(result).toMatchObject({ written: 2, refused: 1, failed: false });
    // What the database says is synced is exactly what Shopify holds.
    for (const customerId of [1_200_010, 1_200_012]) {
      const member = (await memberOf(db, customerId, SHOP))!;
      expect(member.summarySyncedVersion).toBe(member.summaryVersion);
      expect(JSON.parse(shopify.metafield(SHOP, `gid://shopify/Customer/${customerId}`)!).balance).toBe(Number(member.balance));
    }
    const refused = (await memberOf(db, 1_200_011, SHOP))!;
    expect(shopify.metafield(SHOP, "gid://shopify/Customer/1200011")).toBeUndefined();
    expect(refused.summarySyncedVersion).toBeLessThan(refused.summaryVersion);
    expect(refused).toMatchObject({ summarySyncAttempts: 1, summarySyncError: "INVALID: Owner does not exist" });
    expect(Number(refused.summaryRetryAt)).toBeGreaterThan(Date.now() + 50_000);

    // Until its backoff is over, the refused member is not sent again, and others go through.
    shopify.calls.length = 0;
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_013, customer: { id: 1_200_013 }, lines: [{ price: "5.00" }] }), { shop: SHOP });
    expect(await syncCustomerSummaries(SHOP)).toMatchObject({ written: 1, refused: 0 });
    expect([...new Set(summaryWrites().flatMap((call) => (call.variables.metafields as { ownerId: string }[]).map((m) => m.ownerId)))]).toEqual(["gid://shopify/Customer/1200013"]);
  });

  it("retries a refused member alone with exponential backoff, and gives up after a bounded number of attempts", async () => {
    const waits: number[] = [];
    for (let attempt = 2; attempt <= MAX_SUMMARY_ATTEMPTS; attempt++) {
      const before = (await memberOf(db, 1_200_011, SHOP))!;
      // Its backoff is over.
      await db.member.update({ where: { id: before.id }, data: { summaryRetryAt: BigInt(Date.now() - 1) } });
      shopify.calls.length = 0;
      expect(await syncCustomerSummaries(SHOP)).toMatchObject({ written: 0, refused: 1 });
      // Alone: nobody else shares its call.
      expect(summaryWrites().map((call) => new Set((call.variables.metafields as { ownerId: string }[]).map((m) => m.ownerId)).size)).toEqual([1]);
      const after = (await memberOf(db, 1_200_011, SHOP))!;
      expect(after.summarySyncAttempts).toBe(attempt);
      if (after.summaryRetryAt !== null) waits.push(Number(after.summaryRetryAt) - Date.now());
    }
    // Each wait about twice the one before.
    for (let i = 1; i < waits.length; i++) expect(waits[i] / waits[i - 1]).toBeGreaterThan(1.8);
    const gaveUp = (await memberOf(db, 1_200_011, SHOP))!;
    expect(gaveUp).toMatchObject({ summaryRetryAt: null, summaryGaveUpVersion: gaveUp.summaryVersion });
    shopify.calls.length = 0;
    expect(await syncCustomerSummaries(SHOP)).toMatchObject({ written: 0, refused: 0 });
    expect(summaryWrites()).toHaveLength(0);
    // A later balance change tries again.
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_014, customer: { id: 1_200_011 }, lines: [{ price: "1.00" }] }), { shop: SHOP });
    expect(await syncCustomerSummaries(SHOP)).toMatchObject({ refused: 1 });
  });

  it("waits without calling Shopify while the shop has no offline session", async () => {
    const other = "no-session-shop.myshopify.com";
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_020, customer: { id: 1_200_020 }, lines: [{ price: "10.00" }] }), { shop: other });
    expect(await syncCustomerSummaries(other)).toMatchObject({ written: 0, program: "skipped", noSession: true, failed: false });
    expect(shopify.calls).toHaveLength(0);
    expect(await balanceOf(db, 1_200_020, other)).toBe(10);
  });

  it("writes the public program to the shop metafield $app:tally.program once, and again when it changes", async () => {
    shopify.calls.length = 0;
    // Written by the first test's sync; nothing changed since.
    expect((await syncCustomerSummaries(SHOP)).program).toBe("unchanged");
    expect(programWrites()).toHaveLength(0);

    await db.tier.create({ data: { shopDomain: SHOP, name: "Gold", thresholdPoints: 500, multiplierPercent: 150 } });
    expect((await syncCustomerSummaries(SHOP)).program).toBe("written");
    const [write] = programWrites();
    const [metafield] = write.variables.metafields as { ownerId: string; namespace: string; key: string; type: string; value: string }[];
    expect(metafield).toMatchObject({ ownerId: TEST_SHOP_GID, namespace: "$app:tally", key: "program", type: "json" });
    const program = JSON.parse(metafield.value);
    expect(program).toMatchObject({ earning: { points: 1, perMajorUnits: 1 }, rewards: [{ costPoints: 500, amount: "5.00" }] });
    expect(program.tiers).toEqual([expect.objectContaining({ name: "Gold", thresholdPoints: 500 })]);
    // The shop's id was asked for once and kept.
    expect(shopify.calls.filter((call) => call.query.includes("ShopFacts"))).toHaveLength(0);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).shopifyGid).toBe(TEST_SHOP_GID);
  });

  it("retries the program metafield when Shopify refuses it", async () => {
    await db.tier.create({ data: { shopDomain: SHOP, name: "Platinum", thresholdPoints: 2000, multiplierPercent: 200 } });
    shopify.answerWith(shopifyIsDown);
    expect((await syncCustomerSummaries(SHOP)).program).toBe("failed");
    shopify.answerWith(shopifySucceeds);
    expect((await syncCustomerSummaries(SHOP)).program).toBe("written");
    expect((await syncCustomerSummaries(SHOP)).program).toBe("unchanged");
  });

  it("writes on its own shortly after a balance change, through the job runner, without the webhook waiting for it", async () => {
    vi.stubEnv("SUMMARY_SYNC_DELAY_MS", "20");
    vi.resetModules(); // the routes and the sync modules, loaded again with automatic writes on
    const { testJobRunner } = await import("../support/jobs");
    const { default: freshDb } = await import("~/db.server");
    const runner = testJobRunner(freshDb);
    runner.start();
    try {
      shopify.calls.length = 0;
      const response = await deliverWebhook("orders/paid", orderPayload({ id: 1_100_030, customer: { id: 1_200_030 }, lines: [{ price: "12.00" }] }), { shop: SHOP });
      expect(response.status).toBe(200);
      await vi.waitFor(
        async () => {
          const member = (await memberOf(db, 1_200_030, SHOP))!;
          expect(member.summarySyncedVersion).toBe(member.summaryVersion);
        },
        { timeout: 5_000, interval: 50 },
      );
      expect(JSON.parse(shopify.metafield(SHOP, "gid://shopify/Customer/1200030")!).balance).toBe(12);
      // The job is done and gone.
      await vi.waitFor(async () => expect(await db.job.count({ where: { key: `customer-summaries:${SHOP}` } })).toBe(0), { timeout: 5_000 });
    } finally {
      await runner.stop();
      vi.unstubAllEnvs();
    }
  });
});

describe("segment tags and metafields", () => {
  const shop = "segments-shop.myshopify.com";
  const customer = 1_200_900;
  const owner = `gid://shopify/Customer/${customer}`;
  const tagCalls = () => shopify.calls.filter((call) => /\btags(Add|Remove)\b/.test(call.query));

  async function reachTiers() {
    const member = (await memberOf(db, customer, shop))!;
    await recalculateMemberTiers(db, shop, member.id);
  }

  it("keeps tally.balance, tally.pending and tally.tier in the summary's call, and the tier tag only when the tier changes", async () => {
    await storeOfflineSession(shop);
    await deliverWebhook("customers/create", { id: 1_200_999, email: "s@example.com" }, { shop });
    await db.tier.create({ data: { shopDomain: shop, name: "Gold Plus", thresholdPoints: 50, multiplierPercent: 100 } });
    await db.tier.create({ data: { shopDomain: shop, name: "Platinum", thresholdPoints: 150, multiplierPercent: 100 } });
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_900, customer: { id: customer }, lines: [{ price: "60.00" }] }), { shop });
    await reachTiers();
    shopify.calls.length = 0;
    expect((await syncCustomerSummaries(shop)).written).toBe(1);
    expect(shopify.metafield(shop, owner, "tally.balance")).toBe("60");
    expect(shopify.metafield(shop, owner, "tally.pending")).toBe("0");
    expect(shopify.metafield(shop, owner, "tally.tier")).toBe("Gold Plus");
    expect(shopify.customerTags(shop, owner)).toEqual(["tally-tier-gold-plus"]);
    expect((await memberOf(db, customer, shop))!.segmentTierTag).toBe("tally-tier-gold-plus");
    // One metafieldsSet for the four metafields, typed as segments need them.
    const [write] = summaryWrites();
    expect((write.variables.metafields as { key: string; type: string; namespace: string }[]).map((m) => `${m.namespace}.${m.key}:${m.type}`)).toEqual([
      "$app:tally.summary:json",
      "tally.balance:number_integer",
      "tally.pending:number_integer",
      "tally.tier:single_line_text_field",
    ]);

    // Same tier: the metafields follow the balance, no tag is sent.
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_901, customer: { id: customer }, lines: [{ price: "10.00" }] }), { shop });
    await reachTiers();
    shopify.calls.length = 0;
    await syncCustomerSummaries(shop);
    expect(shopify.metafield(shop, owner, "tally.balance")).toBe("70");
    expect(tagCalls()).toHaveLength(0);

    // Platinum: its tag added, the old one removed.
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_902, customer: { id: customer }, lines: [{ price: "100.00" }] }), { shop });
    await reachTiers();
    await syncCustomerSummaries(shop);
    expect(shopify.customerTags(shop, owner)).toEqual(["tally-tier-platinum"]);
    expect(shopify.metafield(shop, owner, "tally.tier")).toBe("Platinum");
  });

  it("follows a tier renamed, and removes every Tally tier tag and tally.tier when the member holds no tier", async () => {
    const platinum = await db.tier.findFirstOrThrow({ where: { shopDomain: shop, name: "Platinum" } });
    const { saveTier, deleteTier } = await import("~/loyalty/tier-settings.server");
    expect(await saveTier(db, shop, platinum.id, { name: "Platinum Élite", thresholdPoints: 150, multiplierPercent: 100 }, { actor: "test" })).toMatchObject({ ok: true });
    await syncCustomerSummaries(shop);
    expect(shopify.customerTags(shop, owner)).toEqual(["tally-tier-platinum-elite"]);
    expect(shopify.metafield(shop, owner, "tally.tier")).toBe("Platinum Élite");

    // A tag the merchant added stays; the Tally ones go with the tiers.
    shopify.shopify.tags.get(`${shop} ${owner}`)!.add("vip-by-hand");
    for (const tier of await db.tier.findMany({ where: { shopDomain: shop } })) expect(await deleteTier(db, shop, tier.id, { actor: "test" })).toBe("deleted");
    await reachTiers();
    await syncCustomerSummaries(shop);
    expect(shopify.customerTags(shop, owner)).toEqual(["vip-by-hand"]);
    expect(shopify.metafield(shop, owner, "tally.tier")).toBeUndefined();
    expect(shopify.metafield(shop, owner, "tally.balance")).toBe("170");
    expect((await memberOf(db, customer, shop))!.segmentTierTag).toBeNull();
  });

  it("tries a refused tag again with the member's next summary", async () => {
    const refused = 1_200_901;
    await db.tier.create({ data: { shopDomain: shop, name: "Bronze", thresholdPoints: 5, multiplierPercent: 100 } });
    await deliverWebhook("orders/paid", orderPayload({ id: 1_100_910, customer: { id: refused }, lines: [{ price: "10.00" }] }), { shop });
    await recalculateMemberTiers(db, shop, (await memberOf(db, refused, shop))!.id);
    shopify.removeOwner(`gid://shopify/Customer/${refused}`);
    expect(await syncCustomerSummaries(shop)).toMatchObject({ refused: 1 });
    expect((await memberOf(db, refused, shop))!.segmentTierTag).toBeNull();
    shopify.shopify.missingOwners.delete(`gid://shopify/Customer/${refused}`);
    await db.member.updateMany({ where: { shopDomain: shop, customerId: BigInt(refused) }, data: { summaryRetryAt: 0n } });
    expect(await syncCustomerSummaries(shop)).toMatchObject({ written: 1 });
    expect(shopify.customerTags(shop, `gid://shopify/Customer/${refused}`)).toEqual(["tally-tier-bronze"]);
  });
});

describe("marking summaries written, beside redeems that lock several members", () => {
  // A group of redeems shares one transaction and locks its members in its own order; the sync's
  // marks must never hold one member's row while waiting for another's, or the two deadlock.
  it.runIf(process.env.TEST_DATABASE === "postgres")("commits each member's mark on its own, so a transaction waiting for a marked row is not held up", async () => {
    const connection = sql();
    if (connection.provider !== "postgresql") throw new Error("PostgreSQL only");
    for (const [orderId, customerId] of [[1_100_901, 1_200_901], [1_100_902, 1_200_902]]) {
      await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: customerId }, lines: [{ price: "10.00" }] }), { shop: SHOP });
    }
    const a = (await memberOf(db, 1_200_901, SHOP))!;
    const b = (await memberOf(db, 1_200_902, SHOP))!;
    const version = Number(b.summaryVersion);

    // The redeems' transaction holds A, as a group does before it locks its next member, B.
    const redeems = await connection.pool.connect();
    try {
      await redeems.query("BEGIN");
      await redeems.query(`SELECT 1 FROM "Member" WHERE "id" = $1 FOR UPDATE`, [a.id]);
      // The marks, B first: B's is done at once; A's waits for the redeems' transaction.
      const marking = markSummariesSynced(connection, [{ memberId: b.id, version }, { memberId: a.id, version: Number(a.summaryVersion) }]);
      await waitForLockWait(connection);
      // The group takes B: in one transaction, the marks would hold it until PostgreSQL's deadlock
      // check (a second) undid them, and the group would find B's mark undone.
      const lockedB = await redeems.query(`SELECT "summarySyncedVersion" FROM "Member" WHERE "id" = $1 FOR UPDATE`, [b.id]);
      expect(Number(lockedB.rows[0].summarySyncedVersion)).toBe(version);
      await redeems.query("COMMIT");
      await marking;
    } finally {
      redeems.release();
    }
    for (const member of [a, b]) {
      const marked = await db.member.findUniqueOrThrow({ where: { id: member.id } });
      expect(marked.summarySyncedVersion).toBe(marked.summaryVersion);
    }
  });
});

/** Until a statement on this database waits for a row lock (the marks, for the redeems' transaction). */
async function waitForLockWait(connection: Extract<ReturnType<typeof sql>, { provider: "postgresql" }>) {
  for (let tries = 0; tries < 500; tries++) {
    const { rows } = await connection.pool.query(`SELECT 1 FROM pg_stat_activity WHERE "datname" = current_database() AND "wait_event_type" = 'Lock'`);
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the marks never waited for the redeems' lock");
}
