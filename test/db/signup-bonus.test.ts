// The signup bonus: off in a fresh install; when the merchant sets it, customers/create credits
// it once, however often Shopify delivers the event.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { balanceOf, balancesMatchLedger, ledgerOf } from "../support/ledger-queries";
import { deliverWebhook } from "../support/routes";
import { customerCreatePayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "signup-shop.myshopify.com";

describe("signup bonus", () => {
  it("is off by default: a new customer joins with 0 points", async () => {
    expect((await deliverWebhook("customers/create", customerCreatePayload({ id: 9_400_001 }), { shop: SHOP })).status).toBe(200);
    expect(await balanceOf(db, 9_400_001, SHOP)).toBe(0);
  });

  it("credits the bonus once per customer when set, for duplicate and concurrent deliveries alike", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    await db.shop.update({ where: { domain: SHOP }, data: { program: JSON.stringify({ ...JSON.parse(shop.program), signupPoints: 100 }) } });
    const payload = customerCreatePayload({ id: 9_400_002, email: "new@example.com" });
    const responses = await Promise.all(Array.from({ length: 5 }, () => deliverWebhook("customers/create", payload, { shop: SHOP })));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await balanceOf(db, 9_400_002, SHOP)).toBe(100);
    expect(await ledgerOf(db, 9_400_002, SHOP)).toEqual([{ kind: "signup", delta: 100, key: "signup:9400002" }]);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });
});
