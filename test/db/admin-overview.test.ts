// The embedded admin's first page: the shop's program and its member count.
import { describe, expect, it } from "vitest";
import { adminRequest, storeOfflineSession } from "../support/admin-session";
import { APP_URL, deliverWebhook } from "../support/routes";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const STORE = "admin-overview";
const SHOP = `${STORE}.myshopify.com`;

describe("app._index loader", () => {
  it("shows the program, members and points for the signed-in shop only", async () => {
    await storeOfflineSession(SHOP);
    for (const [i, price] of ["40.00", "15.50"].entries()) {
      await deliverWebhook("orders/paid", orderPayload({ id: 3_300_001 + i, customer: { id: 3_400_001 + i }, lines: [{ price }] }), { shop: SHOP });
    }
    await deliverWebhook("orders/paid", orderPayload({ id: 3_300_009, customer: { id: 3_400_009 }, lines: [{ price: "99.00" }] }), { shop: "someone-else.myshopify.com" });

    const { loader } = await import("~/routes/app._index");
    const data = await loader({ request: await adminRequest(STORE, `${APP_URL}/app`), params: {}, context: {} });
    expect(data).toMatchObject({
      members: { total: 2 },
      points: { outstanding: 55, issued: 55 },
      memberOrders: { orders: 2, buyers: 2 },
      currency: "USD",
      program: { name: "Rewards", enabled: true, earning: { points: 1, perMajorUnits: 1 } },
      liability: { minor: 55, reward: { title: "5.00 off your order", costPoints: 500 } },
    });
  });

  it("refuses a request without a valid session token", async () => {
    const { loader } = await import("~/routes/app._index");
    const thrown = await Promise.resolve(loader({ request: new Request(`${APP_URL}/app?shop=${SHOP}&embedded=1`), params: {}, context: {} })).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Response);
    expect([302, 401, 410]).toContain((thrown as Response).status);
  });
});
