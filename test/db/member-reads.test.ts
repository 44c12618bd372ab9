// A signed-in shopper's read (the shop's programVersion and the member) gives each caller its own
// member, also when many arrive at once and PostgreSQL answers them in one shared round trip.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { readShopVersionAndMember } from "~/loyalty/member-reads.server";
import { sql } from "~/sql.server";
import { deliverWebhook } from "../support/routes";
import { orderPayload } from "../../dev/simulator/shopify-payloads";

const SHOP = "member-reads.myshopify.com";
const OTHER_SHOP = "member-reads-other.myshopify.com";
const FIRST_CUSTOMER = 7_100_000_000_000n;

async function enrol(shop: string, customerId: bigint, dollars: number, orderId: number) {
  const response = await deliverWebhook("orders/paid", orderPayload({ id: orderId, customer: { id: Number(customerId) }, lines: [{ price: `${dollars}.00` }] }), { shop });
  expect(response.status).toBe(200);
}

describe("reading the shop's version with a member", () => {
  it("gives every read arriving together its own member, the unknown ones none, and the stored version", async () => {
    for (let i = 0n; i < 12n; i++) await enrol(SHOP, FIRST_CUSTOMER + i, Number(i) + 1, 4_400_000 + Number(i));
    // The same customer id in another shop is another member.
    await enrol(OTHER_SHOP, FIRST_CUSTOMER, 99, 4_500_000);
    const stored = await db.shop.findUniqueOrThrow({ where: { domain: SHOP }, select: { programVersion: true } });

    const asked = [...Array.from({ length: 12 }, (_, i) => FIRST_CUSTOMER + BigInt(i)), FIRST_CUSTOMER + 3n, FIRST_CUSTOMER + 50n, FIRST_CUSTOMER + 51n];
    const [answers, other, noShop] = await Promise.all([
      Promise.all(asked.map((customerId) => readShopVersionAndMember(sql(), SHOP, customerId))),
      readShopVersionAndMember(sql(), OTHER_SHOP, FIRST_CUSTOMER),
      readShopVersionAndMember(sql(), "member-reads-none.myshopify.com", FIRST_CUSTOMER),
    ]);

    answers.forEach(([version, member], i) => {
      expect(Number(version?.programVersion)).toBe(stored.programVersion);
      if (asked[i] >= FIRST_CUSTOMER + 50n) return expect(member).toBeUndefined();
      expect(BigInt(member!.customerId as number | bigint)).toBe(asked[i]);
      expect(Number(member!.balance)).toBe(Number(asked[i] - FIRST_CUSTOMER) + 1);
    });
    expect(Number(other[1]?.balance)).toBe(99);
    expect(noShop).toEqual([undefined, undefined]);
  });

  it("sees a write committed before the read was asked", async () => {
    await enrol(SHOP, FIRST_CUSTOMER + 100n, 5, 4_600_000);
    const before = await readShopVersionAndMember(sql(), SHOP, FIRST_CUSTOMER + 100n);
    await enrol(SHOP, FIRST_CUSTOMER + 100n, 7, 4_600_001);
    const after = await readShopVersionAndMember(sql(), SHOP, FIRST_CUSTOMER + 100n);
    expect([Number(before[1]?.balance), Number(after[1]?.balance)]).toEqual([5, 12]);
  });
});
