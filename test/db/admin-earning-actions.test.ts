// The Program's "Ways to earn" pages (app/routes/app.program.actions*.tsx), called with real
// Requests carrying Shopify session tokens: a save is a program version the storefront reads at
// once (the proxy, and the program metafield through the sync job); bad input gets field errors
// and saves nothing; staff approve or reject waiting claims, recorded as the actor.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import db from "~/db.server";
import { syncCustomerSummaries } from "~/shopify/customer-summary-sync.server";
import { balanceOf, balancesMatchLedger } from "../support/ledger-queries";
import { storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook, proxyGet } from "../support/routes";
import { adminApiStandIn } from "../support/shopify-admin-api";
import { SIMULATED_SHOP_GID } from "../../dev/simulator/shopify-admin";
import { customerObject } from "../../dev/simulator/shopify-payloads";
import { proxyPath, storefrontProxyPrefix } from "../../dev/simulator/app-config";
import { signedProxyQuery, TEST_API_KEY, TEST_API_SECRET } from "../../dev/simulator/shopify-signing";

const shopify = adminApiStandIn();
beforeAll(() => shopify.listen());
afterAll(() => shopify.close());

interface RouteModule {
  loader?: (args: { request: Request; params: Record<string, string>; context: object }) => unknown;
  action?: (args: { request: Request; params: Record<string, string>; context: object }) => unknown;
}

const routes = {
  list: () => import("~/routes/app.program.actions._index") as Promise<RouteModule>,
  edit: () => import("~/routes/app.program.actions.$id") as Promise<RouteModule>,
};

async function load(store: string, route: keyof typeof routes, params: Record<string, string> = {}) {
  const request = await setUpValidRequest({ type: RequestType.Admin, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request(`${APP_URL}/app/program/actions`));
  return settle((await routes[route]()).loader!({ request, params, context: {} }));
}

async function post(store: string, route: keyof typeof routes, fields: Record<string, string>, params: Record<string, string> = {}) {
  const request = await setUpValidRequest(
    { type: RequestType.Bearer, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET },
    new Request(`${APP_URL}/app/program/actions?shop=${store}.myshopify.com&embedded=1`, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );
  return settle((await routes[route]()).action!({ request, params, context: {} }));
}

async function settle(result: unknown): Promise<{ status: number; body: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  let value: unknown;
  try {
    value = await result;
  } catch (thrown) {
    value = thrown;
  }
  if (value instanceof Response) {
    const text = await value.text();
    try {
      return { status: value.status, body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      return { status: value.status, body: { text, location: value.headers.get("location") } };
    }
  }
  return { status: 200, body: value as Record<string, unknown> };
}

const goodAction = { kind: "social_follow", title: "Follow us on Instagram", url: "https://instagram.com/tally", points: "150", enabled: "on" };

async function storedState(shop: string) {
  const [actions, version] = await Promise.all([
    db.earningAction.findMany({ where: { shopDomain: shop }, orderBy: { id: "asc" } }),
    db.shop.findUnique({ where: { domain: shop }, select: { programVersion: true } }),
  ]);
  return { actions, programVersion: version?.programVersion };
}

describe("ways to earn (admin)", () => {
  const store = "admin-actions";
  const shop = `${store}.myshopify.com`;
  const otherStore = "admin-actions-other";
  const otherShop = `${otherStore}.myshopify.com`;

  it("shows none configured on a fresh install", async () => {
    await storeOfflineSession(shop);
    expect(await load(store, "list")).toEqual({ status: 200, body: { actions: [], pending: [] } });
    expect((await load(store, "edit", { id: "new" })).body).toEqual({ action: null });
  });

  it("creates and edits an action as a program version, which the storefront reads at once and the metafield after the sync", async () => {
    const created = await post(store, "edit", goodAction, { id: "new" });
    expect(created).toMatchObject({ status: 302, body: { location: "/app/program/actions" } });
    const [action] = (await storedState(shop)).actions;
    expect(action).toMatchObject({ kind: "social_follow", title: "Follow us on Instagram", url: "https://instagram.com/tally", points: 150, requiresApproval: false, enabled: true });
    expect(await db.programVersion.findFirst({ where: { shopDomain: shop, change: `action:${action.id}` } })).toMatchObject({ actor: expect.stringMatching(/^staff:/) });
    const { program } = (await (await proxyGet("program", { shop })).json()) as { program: { actions: unknown[] } };
    expect(program.actions).toEqual([{ id: action.id, kind: "social_follow", title: "Follow us on Instagram", points: 150, url: "https://instagram.com/tally" }]);

    expect(await db.job.findUnique({ where: { key: `customer-summaries:${shop}` } })).not.toBeNull();
    await syncCustomerSummaries(shop);
    expect(JSON.parse(shopify.metafield(shop, SIMULATED_SHOP_GID, "$app:tally.program") ?? "null")).toMatchObject({ actions: [{ id: action.id, points: 150 }] });

    const edited = await post(store, "edit", { ...goodAction, title: "Follow us", points: "200", requiresApproval: "on" }, { id: String(action.id) });
    expect(edited.status).toBe(302);
    expect((await storedState(shop)).actions[0]).toMatchObject({ title: "Follow us", points: 200, requiresApproval: true });
    expect((await load(store, "edit", { id: String(action.id) })).body.action).toMatchObject({ title: "Follow us", points: 200 });

    // Turned off: gone from the storefront at once; on again: back.
    expect(await post(store, "list", { intent: "disable", actionId: String(action.id) })).toEqual({ status: 200, body: { ok: true } });
    expect(((await (await proxyGet("program", { shop })).json()) as { program: { actions: unknown[] } }).program.actions).toEqual([]);
    expect((await post(store, "list", { intent: "enable", actionId: String(action.id) })).status).toBe(200);
    expect((await load(store, "list")).body.actions).toEqual([expect.objectContaining({ id: action.id, enabled: true, approved: 0, pending: 0 })]);
  });

  it("refuses bad input with field errors, saving nothing", async () => {
    const before = await storedState(shop);
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ points: "ten" }, { points: "errorWholeNumber" }],
      [{ points: "1.5" }, { points: "errorWholeNumber" }],
      [{ points: "99999999999" }, { points: "errorMax" }],
      [{ points: "1000001" }, { points: "errorMax" }],
      [{ points: "0" }, { points: "errorMin" }],
      [{ points: "-5" }, { points: "errorMin" }],
      [{ url: "http://instagram.com/tally" }, { url: "errorHttpsUrl" }],
      [{ url: "javascript:alert(1)" }, { url: "errorHttpsUrl" }],
      [{ url: "instagram.com" }, { url: "errorHttpsUrl" }],
      [{ url: "" }, { url: "errorUrlRequired" }],
      [{ title: "" }, { title: "errorRequired" }],
      [{ title: "x".repeat(81) }, { title: "errorTooLong" }],
      [{ kind: "follow_everyone" }, { kind: "errorChoice" }],
      [{ kind: "custom", title: "   ", points: "abc" }, { title: "errorRequired", points: "errorWholeNumber" }],
    ];
    for (const [changes, errors] of cases) {
      const response = await post(store, "edit", { ...goodAction, ...changes }, { id: "new" });
      expect(response.status, JSON.stringify(changes)).toBe(422);
      const keys = Object.fromEntries(Object.entries(response.body.fieldErrors as Record<string, { key: string }>).map(([field, error]) => [field, error.key]));
      expect(keys, JSON.stringify(changes)).toEqual(errors);
    }
    // The same refusals when editing.
    const [existing] = before.actions;
    expect((await post(store, "edit", { ...goodAction, url: "http://x.test" }, { id: String(existing.id) })).status).toBe(422);
    expect(await storedState(shop)).toEqual(before);
  });

  it("answers 404 for another shop's action, or an id that is not one, changing nothing", async () => {
    await storeOfflineSession(otherShop);
    expect((await post(otherStore, "edit", { ...goodAction, title: "Theirs" }, { id: "new" })).status).toBe(302);
    const [theirs] = (await storedState(otherShop)).actions;
    const before = await storedState(shop);
    const otherBefore = await storedState(otherShop);
    expect((await load(store, "edit", { id: String(theirs.id) })).status).toBe(404);
    expect((await post(store, "edit", { ...goodAction, title: "Mine now" }, { id: String(theirs.id) })).status).toBe(404);
    for (const id of ["abc", "0", "-1", "99999999999", "1.5"]) expect((await post(store, "edit", goodAction, { id })).status, id).toBe(404);
    expect(await post(store, "list", { intent: "disable", actionId: String(theirs.id) })).toEqual({ status: 404, body: { ok: false, error: "not_found" } });
    for (const fields of [{ intent: "delete", actionId: "1" }, { intent: "disable", actionId: "abc" }, { intent: "approve", claimId: "-3" }, {}] as Record<string, string>[]) {
      expect((await post(store, "list", fields)).status, JSON.stringify(fields)).toBe(400);
    }
    expect(await storedState(shop)).toEqual(before);
    expect(await storedState(otherShop)).toEqual(otherBefore);
  });

  it("lists claims waiting for approval with the member's email; staff approve or reject, recorded as the actor", async () => {
    const saved = await post(store, "edit", { kind: "custom", title: "Review a product", url: "", points: "250", requiresApproval: "on", enabled: "on" }, { id: "new" });
    expect(saved.status).toBe(302);
    const action = (await storedState(shop)).actions.at(-1)!;
    for (const customerId of [9_730_001, 9_730_002]) {
      await deliverWebhook("customers/create", customerObject({ id: customerId, email: `c${customerId}@example.com` }), { shop });
      const query = signedProxyQuery(storefrontProxyPrefix(), { shop, customerId });
      const module = await import("~/routes/proxy.actions.$id.claim");
      const response = await module.action({ request: new Request(`${APP_URL}${proxyPath(`actions/${action.id}/claim`)}?${query}`, { method: "POST" }), params: { id: String(action.id) }, context: {} });
      expect(response.status).toBe(200);
    }
    const { pending } = (await load(store, "list")).body as { pending: { id: number; email: string; actionTitle: string; points: number }[] };
    expect(pending).toEqual([
      expect.objectContaining({ email: "c9730001@example.com", actionTitle: "Review a product", points: 250 }),
      expect.objectContaining({ email: "c9730002@example.com", actionTitle: "Review a product", points: 250 }),
    ]);

    expect(await post(store, "list", { intent: "approve", claimId: String(pending[0].id) })).toEqual({ status: 200, body: { ok: true, decided: "approved" } });
    expect(await post(store, "list", { intent: "approve", claimId: String(pending[0].id) })).toEqual({ status: 409, body: { ok: false, error: "already_decided" } });
    expect(await post(store, "list", { intent: "reject", claimId: String(pending[1].id) })).toEqual({ status: 200, body: { ok: true, decided: "rejected" } });
    expect(await post(otherStore, "list", { intent: "approve", claimId: String(pending[1].id) })).toEqual({ status: 404, body: { ok: false, error: "not_found" } });
    expect(await balanceOf(db, 9_730_001, shop)).toBe(250);
    expect(await balanceOf(db, 9_730_002, shop)).toBe(0);
    const entry = await db.ledgerEntry.findFirstOrThrow({ where: { shopDomain: shop, kind: "action" } });
    expect(entry.actor).toMatch(/^staff:/);
    expect(await db.actionClaim.findUniqueOrThrow({ where: { id: pending[0].id } })).toMatchObject({ status: "approved", decidedBy: entry.actor, decidedAt: expect.any(Date) });
    expect((await load(store, "list")).body.pending).toEqual([]);
    expect((await load(store, "list")).body.actions.at(-1)).toMatchObject({ approved: 1, pending: 0 });
    expect(await balancesMatchLedger(db)).toEqual([]);
  });
});
