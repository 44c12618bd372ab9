// Birthdays: given once through the signed proxy; the bonus (off by default) is credited on the
// day in the shop's time zone, once a year, by the job.
import { describe, expect, it } from "vitest";
import db from "~/db.server";
import { grantBirthdayBonuses, setBirthday } from "~/loyalty/birthdays.server";
import { balanceOf, balancesMatchLedger, ledgerOf } from "../support/ledger-queries";
import { proxyPost } from "../support/routes";

const SHOP = "birthday-shop.myshopify.com";
const json = async (response: Response) => (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("birthday", () => {
  it("is given once by the signed-in shopper, and refused when malformed", async () => {
    const set = await proxyPost("birthday", { month: 4, day: 12 }, { shop: SHOP, customerId: 9_500_001 });
    expect(set.status).toBe(200);
    expect((await json(set)).member).toMatchObject({ customerId: 9_500_001, birthday: "04-12" });
    const again = await proxyPost("birthday", { month: 5, day: 1 }, { shop: SHOP, customerId: 9_500_001 });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("birthday_already_set");
    for (const [body, code] of [
      [{ month: 2, day: 30 }, "invalid_body"],
      [{ month: 13, day: 1 }, "invalid_body"],
      [{ month: "4", day: 12 }, "invalid_body"],
      [{}, "invalid_body"],
    ] as const) {
      const refused = await proxyPost("birthday", body, { shop: SHOP, customerId: 9_500_002 });
      expect(refused.status).toBe(400);
      expect((await json(refused)).error.code).toBe(code);
    }
    expect((await proxyPost("birthday", { month: 4, day: 12 }, { shop: SHOP, customerId: null })).status).toBe(400);
    expect((await proxyPost("birthday", { month: 4, day: 12 }, { shop: SHOP, customerId: 9_500_002, secret: "forged" })).status).toBe(401);
    expect((await db.member.findFirst({ where: { shopDomain: SHOP, customerId: 9_500_002n } }))?.birthday ?? null).toBeNull();
  });

  it("credits the bonus on the day in the shop's time zone, once a year, to birthdays given in time", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    await db.shop.update({ where: { domain: SHOP }, data: { timezone: "Asia/Tokyo", program: JSON.stringify({ ...JSON.parse(shop.program), birthdayPoints: 200 }) } });
    const longAgo = new Date("2025-12-01T00:00:00Z");
    await setBirthday(db, SHOP, 9_500_010n, "03-01", longAgo);
    await setBirthday(db, SHOP, 9_500_011n, "02-29", longAgo);
    await setBirthday(db, SHOP, 9_500_012n, "03-01", new Date("2026-02-20T00:00:00Z")); // 9 days before: too late this year
    await setBirthday(db, SHOP, 9_500_013n, "03-02", longAgo);

    // 16:00 UTC on 28 February is 1 March, 01:00 in Tokyo (2026 is not a leap year: 29 February's birthdays are the 28th).
    expect(await grantBirthdayBonuses(db, SHOP, new Date("2026-02-27T16:00:00Z"))).toBe(1); // 28 Feb in Tokyo
    expect(await balanceOf(db, 9_500_011n, SHOP)).toBe(200);
    expect(await grantBirthdayBonuses(db, SHOP, new Date("2026-02-28T16:00:00Z"))).toBe(1); // 1 March in Tokyo
    expect(await grantBirthdayBonuses(db, SHOP, new Date("2026-02-28T20:00:00Z"))).toBe(0); // the same day again
    expect(await balanceOf(db, 9_500_010n, SHOP)).toBe(200);
    expect(await balanceOf(db, 9_500_012n, SHOP)).toBe(0);
    expect(await balanceOf(db, 9_500_013n, SHOP)).toBe(0);
    expect(await ledgerOf(db, 9_500_010n, SHOP)).toEqual([{ kind: "birthday", delta: 200, key: expect.stringMatching(/^birthday:\d+:2026$/) }]);

    // Next year, again.
    expect(await grantBirthdayBonuses(db, SHOP, new Date("2027-02-28T16:00:00Z"))).toBe(2); // the 12th's notice has run by then
    expect(await balanceOf(db, 9_500_010n, SHOP)).toBe(400);
    expect(await balancesMatchLedger(db)).toEqual([]);
  });
});
