// Custom one-off actions: claimed through the signed proxy (once per member, paid at once or
// after staff approval), the newsletter action granted by customers/create and customers/update,
// listed in the public program and the member's view, exported and deleted by the privacy webhooks.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { pendingSummaries } from "~/loyalty/customer-summary.server";
import { decideActionClaim, saveEarningAction } from "~/loyalty/earning-actions.server";
import { balanceOf, balancesMatchLedger, ledgerOf, memberOf } from "../support/ledger-queries";
import { APP_URL, deliverWebhook, proxyGet } from "../support/routes";
import { customerObject, shopifyJson } from "../../dev/simulator/shopify-payloads";
import { proxyPath, storefrontProxyPrefix } from "../../dev/simulator/app-config";
import { signedProxyQuery, type ProxyOptions } from "../../dev/simulator/shopify-signing";

const SHOP = "actions-shop.myshopify.com";
const OTHER_SHOP = "actions-other.myshopify.com";
const json = async (response: Response) => (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** POST /apps/tally/actions/<id>/claim as the app proxy forwards it (signed unless `query` is given). */
async function claim(id: string | number, options: ProxyOptions & { method?: string } = {}) {
  const path = proxyPath(`actions/${id}/claim`);
  const query = signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, ...options });
  const request = new Request(`${APP_URL}${path}?${query.toString()}`, { method: options.method ?? "POST", headers: { "Content-Type": "application/json" }, body: options.method === "GET" ? undefined : "{}" });
  const module = await import("~/routes/proxy.actions.$id.claim");
  const args = { request, params: { id: String(id) }, context: {} };
  return options.method === "GET" ? module.loader() : module.action(args);
}

async function newAction(shop: string, input: Partial<{ kind: string; title: string; url: string | null; points: number; requiresApproval: boolean; enabled: boolean }>) {
  const saved = await saveEarningAction(db, shop, null, { kind: "custom", title: "Do something", url: null, points: 50, requiresApproval: false, enabled: true, ...input }, { actor: "test" });
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  return saved.actionId;
}

function customerUpdate(id: number, consent: Record<string, unknown> | null, extra: Record<string, unknown> = {}) {
  const customer: Record<string, unknown> = { ...customerObject({ id }), updated_at: new Date().toISOString(), ...extra };
  if (consent === null) delete customer.email_marketing_consent;
  else customer.email_marketing_consent = { opt_in_level: "single_opt_in", consent_updated_at: "2026-11-30T09:00:00-05:00", ...consent };
  return customer;
}

describe("claiming a custom action through the proxy", () => {
  it("lists enabled actions in the public program, url only when given, and none by default", async () => {
    const before = await json(await proxyGet("program", { shop: OTHER_SHOP }));
    expect(before.program.actions).toEqual([]);
    const follow = await newAction(SHOP, { kind: "social_follow", title: "Follow us on Instagram", url: "https://instagram.com/tally", points: 100 });
    const custom = await newAction(SHOP, { title: "Leave a review", points: 200, requiresApproval: true });
    const off = await newAction(SHOP, { title: "Retired", enabled: false });
    const { program } = await json(await proxyGet("program", { shop: SHOP }));
    expect(program.actions).toEqual([
      { id: follow, kind: "social_follow", title: "Follow us on Instagram", points: 100, url: "https://instagram.com/tally" },
      { id: custom, kind: "custom", title: "Leave a review", points: 200 },
    ]);
    expect(program.actions.map((action: { id: number }) => action.id)).not.toContain(off);
    // Existing fields are untouched.
    expect(program).toMatchObject({ waysToEarn: [{ kind: "order" }, { kind: "referral" }], rewards: [{ costPoints: 500 }] });
  });

  it("pays an action without approval once, however often and concurrently it is claimed", async () => {
    const actionId = await newAction(SHOP, { title: "Like our page", points: 75 });
    const customerId = 9_700_001;
    const first = await claim(actionId, { customerId });
    expect(first.status).toBe(200);
    const body = await json(first);
    expect(body).toMatchObject({ version: 1, claim: { actionId, status: "approved" }, member: { customerId, balance: 75, lifetimeEarned: 75 } });
    expect(body.member.actionClaims).toEqual([{ actionId, status: "approved" }]);
    const again = await claim(actionId, { customerId });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ error: { code: "already_claimed" }, claim: { actionId, status: "approved" } });

    const racing = await Promise.all(Array.from({ length: 6 }, () => claim(actionId, { customerId: 9_700_002 })));
    expect(racing.map((response) => response.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(await balanceOf(db, 9_700_002, SHOP)).toBe(75);
    const member = await memberOf(db, 9_700_002, SHOP);
    expect(await ledgerOf(db, 9_700_002, SHOP)).toEqual([{ kind: "action", delta: 75, key: `action:${actionId}:${member!.id}` }]);
    // The storefront summary is due, with the claim, and a Flow points-earned trigger is recorded.
    expect(member!.summaryVersion).toBeGreaterThan(member!.summarySyncedVersion);
    const summary = (await pendingSummaries(db, SHOP, 500)).find((pending) => pending.memberId === member!.id);
    expect(summary?.summary).toMatchObject({ balance: 75, actionClaims: [{ actionId, status: "approved" }] });
    const flow = await db.flowEvent.findMany({ where: { shopDomain: SHOP, customerId: 9_700_002n } });
    expect(flow.map((event) => JSON.parse(event.payload))).toEqual([{ customer_id: 9_700_002, "Points earned": 75, "Earned for": "action" }]);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("waits for staff when the action needs approval, and an approval pays once", async () => {
    const actionId = await newAction(SHOP, { title: "Post a photo", points: 300, requiresApproval: true });
    const customerId = 9_700_010;
    const claimed = await claim(actionId, { customerId });
    expect(claimed.status).toBe(200);
    expect(await json(claimed)).toMatchObject({ claim: { actionId, status: "pending_approval" }, member: { balance: 0, actionClaims: [{ actionId, status: "pending_approval" }] } });
    expect(await json(await claim(actionId, { customerId }))).toMatchObject({ error: { code: "already_claimed" }, claim: { status: "pending_approval" } });
    const row = await db.actionClaim.findFirstOrThrow({ where: { shopDomain: SHOP, actionId } });
    // Another shop's staff cannot decide it.
    expect(await decideActionClaim(db, OTHER_SHOP, row.id, "approve", "staff:1")).toBe("not_found");
    const decisions = await Promise.all([decideActionClaim(db, SHOP, row.id, "approve", "staff:7 Ada"), decideActionClaim(db, SHOP, row.id, "approve", "staff:8 Bob")]);
    expect(decisions.sort()).toEqual(["already_decided", "approved"]);
    expect(await balanceOf(db, customerId, SHOP)).toBe(300);
    expect(await db.actionClaim.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "approved", decidedBy: expect.stringMatching(/^staff:[78] /) });
    expect((await db.ledgerEntry.findFirstOrThrow({ where: { shopDomain: SHOP, kind: "action", memberId: row.memberId } })).actor).toMatch(/^staff:[78] /);
    expect(await decideActionClaim(db, SHOP, row.id, "reject", "staff:7")).toBe("already_decided");

    // A rejected claim pays nothing and cannot be claimed again.
    await claim(actionId, { customerId: 9_700_011 });
    const rejected = await db.actionClaim.findFirstOrThrow({ where: { shopDomain: SHOP, actionId, member: { customerId: 9_700_011n } } });
    expect(await decideActionClaim(db, SHOP, rejected.id, "reject", "staff:7")).toBe("rejected");
    expect(await balanceOf(db, 9_700_011, SHOP)).toBe(0);
    expect(await json(await claim(actionId, { customerId: 9_700_011 }))).toMatchObject({ claim: { status: "rejected" } });
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("refuses visitors, unknown, disabled and other shops' actions, newsletters, forged signatures and GET, changing nothing", async () => {
    const actionId = await newAction(SHOP, { title: "Share", points: 10 });
    const disabled = await newAction(SHOP, { title: "Off", points: 10, enabled: false });
    const newsletter = await newAction(SHOP, { kind: "newsletter", title: "Newsletter", points: 10 });
    const foreign = await newAction(OTHER_SHOP, { title: "Theirs", points: 10 });
    const customerId = 9_700_020;
    const cases: [string | number, ProxyOptions & { method?: string }, number, string | null][] = [
      [actionId, { customerId: null }, 400, "not_signed_in"],
      [999_999, { customerId }, 404, "unknown_action"],
      [disabled, { customerId }, 404, "unknown_action"],
      [foreign, { customerId }, 404, "unknown_action"],
      ["abc", { customerId }, 404, "unknown_action"],
      ["0", { customerId }, 404, "unknown_action"],
      ["99999999999", { customerId }, 404, "unknown_action"],
      [newsletter, { customerId }, 422, "not_claimable"],
      [actionId, { customerId, secret: "forged" }, 401, "invalid_signature"],
      [actionId, { customerId, method: "GET" }, 405, "method_not_allowed"],
    ];
    for (const [id, options, status, code] of cases) {
      const response = await claim(id, options);
      expect(response.status, `${id} ${JSON.stringify(options)}`).toBe(status);
      if (code) expect((await json(response)).error.code).toBe(code);
    }
    // Not even enrolled.
    expect(await memberOf(db, customerId, SHOP)).toBeNull();
    expect(await db.actionClaim.count({ where: { member: { customerId: BigInt(customerId) } } })).toBe(0);
  });
});

describe("the newsletter action", () => {
  const SHOP_N = "actions-newsletter.myshopify.com";

  it("changes nothing without a newsletter action: customers/update enrols nobody", async () => {
    expect((await deliverWebhook("customers/update", customerUpdate(9_710_000, { state: "subscribed" }), { shop: SHOP_N })).status).toBe(200);
    expect(await memberOf(db, 9_710_000, SHOP_N)).toBeNull();
  });

  it("pays once per member ever, on customers/create or customers/update, whichever field says subscribed", async () => {
    const actionId = await newAction(SHOP_N, { kind: "newsletter", title: "Join our newsletter", points: 40 });
    // Created already subscribed (email_marketing_consent.state), delivered twice.
    for (let i = 0; i < 2; i++) expect((await deliverWebhook("customers/create", customerObject({ id: 9_710_001 }), { shop: SHOP_N })).status).toBe(200);
    expect(await balanceOf(db, 9_710_001, SHOP_N)).toBe(40);
    // Unsubscribes, then subscribes again: nothing more.
    await deliverWebhook("customers/update", customerUpdate(9_710_001, { state: "unsubscribed" }), { shop: SHOP_N });
    await deliverWebhook("customers/update", customerUpdate(9_710_001, { state: "subscribed" }), { shop: SHOP_N });
    expect(await balanceOf(db, 9_710_001, SHOP_N)).toBe(40);

    // Created not subscribed, subscribes later.
    await deliverWebhook("customers/create", customerUpdate(9_710_002, { state: "not_subscribed" }), { shop: SHOP_N });
    expect(await balanceOf(db, 9_710_002, SHOP_N)).toBe(0);
    await deliverWebhook("customers/update", customerUpdate(9_710_002, { state: "pending" }), { shop: SHOP_N });
    expect(await balanceOf(db, 9_710_002, SHOP_N)).toBe(0);
    const updates = await Promise.all(Array.from({ length: 4 }, () => deliverWebhook("customers/update", customerUpdate(9_710_002, { state: "subscribed" }), { shop: SHOP_N })));
    expect(updates.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(await balanceOf(db, 9_710_002, SHOP_N)).toBe(40);

    // A customer Tally never saw is enrolled by customers/update, as customers/create would have.
    await deliverWebhook("customers/update", customerUpdate(9_710_003, { state: "subscribed" }, { email: "new@example.com" }), { shop: SHOP_N });
    expect(await memberOf(db, 9_710_003, SHOP_N)).toMatchObject({ email: "new@example.com", balance: 40n });
    // Only the deprecated accepts_marketing: read when there is no consent object.
    await deliverWebhook("customers/update", customerUpdate(9_710_004, null, { accepts_marketing: true }), { shop: SHOP_N });
    expect(await balanceOf(db, 9_710_004, SHOP_N)).toBe(40);
    await deliverWebhook("customers/update", customerUpdate(9_710_005, { state: "not_subscribed" }, { accepts_marketing: true }), { shop: SHOP_N });
    expect(await memberOf(db, 9_710_005, SHOP_N)).toBeNull();

    const member = await memberOf(db, 9_710_002, SHOP_N);
    expect(await ledgerOf(db, 9_710_002, SHOP_N)).toEqual([{ kind: "action", delta: 40, key: `action:${actionId}:${member!.id}` }]);
    expect(await db.actionClaim.findFirstOrThrow({ where: { memberId: member!.id } })).toMatchObject({ status: "approved", decidedBy: "webhook:customers/update" });
    expect(await balancesMatchLedger(db)).toEqual([]);
  });

  it("reads customers/update shaped like Shopify's sample (a 64-bit id, consent null, no accepts_marketing)", async () => {
    const shop = "actions-sample.myshopify.com";
    await newAction(shop, { kind: "newsletter", title: "Newsletter", points: 25 });
    const sample = {
      id: 706405506930370084n,
      email: "bob@biller.com",
      created_at: null,
      updated_at: null,
      first_name: "Bob",
      last_name: "Biller",
      orders_count: 0,
      state: "disabled",
      total_spent: "0.00",
      last_order_id: null,
      note: "This customer loves ice cream",
      verified_email: true,
      multipass_identifier: null,
      tax_exempt: false,
      tags: "",
      last_order_name: null,
      currency: "USD",
      phone: null,
      addresses: [],
      tax_exemptions: [],
      email_marketing_consent: null,
      sms_marketing_consent: null,
      admin_graphql_api_id: "gid://shopify/Customer/706405506930370084",
    };
    const deliver = (payload: unknown) => deliverWebhook("customers/update", null, { shop, rawBody: shopifyJson(payload) });
    expect((await deliver(sample)).status).toBe(200);
    expect(await memberOf(db, 706405506930370084n, shop)).toBeNull();
    const subscribed = { ...sample, email_marketing_consent: { state: "subscribed", opt_in_level: "confirmed_opt_in", consent_updated_at: "2026-11-30T10:00:00-05:00" } };
    expect((await deliver(subscribed)).status).toBe(200);
    expect(await memberOf(db, 706405506930370084n, shop)).toMatchObject({ customerId: 706405506930370084n, email: "bob@biller.com", balance: 25n });
  });

  it("refuses a customers/update payload of the wrong shape, changing nothing", async () => {
    const response = await deliverWebhook("customers/update", { ...customerUpdate(9_710_009, { state: "subscribed" }), id: "not-an-id" }, { shop: SHOP_N });
    expect(response.status).toBe(422);
    const wrongConsent = await deliverWebhook("customers/update", customerUpdate(9_710_009, { state: 7 }), { shop: SHOP_N });
    expect(wrongConsent.status).toBe(422);
    expect(await memberOf(db, 9_710_009, SHOP_N)).toBeNull();
  });
});

describe("privacy", () => {
  const SHOP_P = "actions-privacy.myshopify.com";

  it("exports a member's claims, and customers/redact and shop/redact delete them", async () => {
    const actionId = await newAction(SHOP_P, { title: "Follow", kind: "social_follow", url: "https://example.com/follow", points: 5 });
    await claim(actionId, { shop: SHOP_P, customerId: 9_720_001 });
    await claim(actionId, { shop: SHOP_P, customerId: 9_720_002 });
    const request = { shop_id: 1, shop_domain: SHOP_P, orders_requested: [], customer: { id: 9_720_001 }, data_request: { id: 77 } };
    expect((await deliverWebhook("customers/data_request", request, { shop: SHOP_P })).status).toBe(200);
    const exported = JSON.parse((await db.dataRequest.findFirstOrThrow({ where: { shopDomain: SHOP_P } })).data);
    expect(exported.actionClaims).toEqual([{ createdAt: expect.any(String), action: "Follow", kind: "social_follow", status: "approved", points: 5, decidedAt: expect.any(String) }]);

    expect((await deliverWebhook("customers/redact", { shop_id: 1, shop_domain: SHOP_P, customer: { id: 9_720_001 }, orders_to_redact: [] }, { shop: SHOP_P })).status).toBe(200);
    expect(await db.actionClaim.count({ where: { shopDomain: SHOP_P } })).toBe(1);
    expect((await deliverWebhook("shop/redact", { shop_id: 1, shop_domain: SHOP_P }, { shop: SHOP_P })).status).toBe(200);
    expect(await db.actionClaim.count({ where: { shopDomain: SHOP_P } })).toBe(0);
    expect(await db.earningAction.count({ where: { shopDomain: SHOP_P } })).toBe(0);
  });
});
