// The admin's Privacy page: the exports customers/data_request stored, listed, shown and
// downloaded by the merchant of that shop only.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { adminRequest, storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook } from "../support/routes";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const STORE = "privacy-admin";
const SHOP = `${STORE}.myshopify.com`;
const OTHER_STORE = "privacy-admin-other";
const OTHER_SHOP = `${OTHER_STORE}.myshopify.com`;

async function settle<T>(work: Promise<T> | T): Promise<T | Response> {
  try {
    return await work;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function list(store: string, query = "") {
  const { loader } = await import("~/routes/app.privacy._index");
  return settle(loader({ request: await adminRequest(store, `${APP_URL}/app/privacy${query}`), params: {}, context: {} }));
}

async function view(store: string, id: string) {
  const { loader } = await import("~/routes/app.privacy.$id");
  return settle(loader({ request: await adminRequest(store, `${APP_URL}/app/privacy/${id}`), params: { id }, context: {} }));
}

async function download(store: string, id: string) {
  const { loader } = await import("~/routes/app.privacy.$id.download");
  return settle(loader({ request: await adminRequest(store, `${APP_URL}/app/privacy/${id}/download`), params: { id }, context: {} }));
}

function dataRequest(shop: string, customerId: number, requestId: number) {
  return { shop_id: 954889, shop_domain: shop, orders_requested: [], customer: { id: customerId, email: "x@example.com", phone: null }, data_request: { id: requestId } };
}

describe("Privacy", () => {
  it("lists, shows and downloads the shop's data requests, newest first", async () => {
    await storeOfflineSession(SHOP);
    await deliverWebhook("orders/paid", orderPayload({ id: 7_100_001, customer: { id: 7_200_001 }, lines: [{ price: "42.00" }] }), { shop: SHOP });
    await deliverWebhook("customers/data_request", dataRequest(SHOP, 7_200_001, 9_001), { shop: SHOP });
    await deliverWebhook("customers/data_request", dataRequest(SHOP, 7_200_002, 9_002), { shop: SHOP });

    const page = (await list(STORE)) as Awaited<ReturnType<typeof import("~/routes/app.privacy._index").loader>>;
    expect(page.requests.map((request) => [request.customerId, request.requestId])).toEqual([
      ["7200002", "9002"],
      ["7200001", "9001"],
    ]);
    expect(page.olderFrom).toBeNull();

    const id = String(page.requests[1].id);
    const shown = (await view(STORE, id)) as Awaited<ReturnType<typeof import("~/routes/app.privacy.$id").loader>>;
    expect(shown).toMatchObject({ customerId: "7200001", member: { balance: 42, lifetimeEarned: 42 }, counts: { ledger: 1, orders: 1, redemptions: 0 } });
    expect(shown.pretty).toContain('"balance": 42');

    const file = (await download(STORE, id)) as Response;
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="tally-data-request-${id}-customer-7200001.json"`);
    const stored = await db.dataRequest.findUniqueOrThrow({ where: { id: Number(id) } });
    expect(await file.text()).toBe(stored.data);
  });

  it("keeps 64-bit ids exact in the view", async () => {
    await storeOfflineSession(SHOP);
    await deliverWebhook("customers/data_request", { ...dataRequest(SHOP, 1, 9_003), customer: { id: 1, email: null, phone: null }, orders_requested: [] }, { shop: SHOP });
    const row = await db.dataRequest.findFirstOrThrow({ where: { shopDomain: SHOP, requestId: 9_003n } });
    await db.dataRequest.update({ where: { id: row.id }, data: { data: row.data.replace('"customerId":1', '"customerId":820982911946154508') } });
    const shown = (await view(STORE, String(row.id))) as { pretty: string };
    expect(shown.pretty).toContain('"customerId": 820982911946154508');
  });

  it("answers 404 for another shop's request, an unknown id or one that is no id, and changes nothing", async () => {
    await storeOfflineSession(SHOP);
    await storeOfflineSession(OTHER_SHOP);
    await deliverWebhook("orders/paid", orderPayload({ id: 7_100_101, customer: { id: 7_200_101 }, lines: [{ price: "5.00" }] }), { shop: OTHER_SHOP });
    await deliverWebhook("customers/data_request", dataRequest(OTHER_SHOP, 7_200_101, 9_101), { shop: OTHER_SHOP });
    const theirs = await db.dataRequest.findFirstOrThrow({ where: { shopDomain: OTHER_SHOP } });
    const before = await db.dataRequest.count();

    for (const id of [String(theirs.id), "999999", "0", "-1", "1.5", "abc", "1e3", "99999999999"]) {
      const shown = await view(STORE, id);
      expect(shown, id).toBeInstanceOf(Response);
      expect((shown as Response).status, id).toBe(404);
      expect(((await download(STORE, id)) as Response).status, id).toBe(404);
    }
    const listed = (await list(STORE)) as { requests: { id: number }[] };
    expect(listed.requests.map((request) => request.id)).not.toContain(theirs.id);
    expect(((await list(STORE, "?before=abc")) as Response).status).toBe(404);
    expect(await db.dataRequest.count()).toBe(before);
  });

  it("refuses a request without a valid session token", async () => {
    const { loader } = await import("~/routes/app.privacy.$id.download");
    const thrown = await settle(loader({ request: new Request(`${APP_URL}/app/privacy/1/download?shop=${SHOP}&embedded=1`), params: { id: "1" }, context: {} }));
    expect(thrown).toBeInstanceOf(Response);
    expect([302, 401, 410]).toContain((thrown as Response).status);
  });

  it("shows an empty list for a shop without requests", async () => {
    await storeOfflineSession("privacy-admin-empty.myshopify.com");
    expect(await list("privacy-admin-empty")).toEqual({ requests: [], olderFrom: null });
  });
});
