// The script's logic that needs no browser: referral capture, plural forms, the metafield shape.
import { describe, expect, it, vi } from "vitest";
import { summaryFromMember, type MemberView } from "../../widget/contract";
import { knownVersion, rememberVersion, summaryIsCurrent } from "../../widget/freshness";
import { SILVER_MEMBER } from "./fixtures";
import { countText, fill, plural } from "../../widget/i18n";
import { captureReferral, CART_ATTRIBUTE, referralCodeFrom, SENT_CODE_KEY, STORED_CODE_KEY } from "../../widget/referral";

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items };
}

const ok = () => vi.fn(async () => new Response("{}", { status: 200 })) as unknown as typeof fetch & ReturnType<typeof vi.fn>;

describe("referral codes", () => {
  it("accepts 6 to 12 letters and digits 2-9, upper-cased", () => {
    expect(referralCodeFrom("?ref=k7qx2mzp")).toBe("K7QX2MZP");
    expect(referralCodeFrom("?utm_source=x&ref=ABCDEF")).toBe("ABCDEF");
    expect(referralCodeFrom("?ref=ABCDEFGHJKLM")).toBe("ABCDEFGHJKLM");
  });

  it("refuses anything else", () => {
    for (const search of ["", "?ref=", "?ref=ABCDE", "?ref=ABCDEFGHJKLMN", "?ref=ABC10O", "?ref=<script>", "?ref=ABCD%20EF", "?ref=ABCDÉF"]) {
      expect(referralCodeFrom(search), search).toBeNull();
    }
  });

  it("is stored and sent to the cart as an attribute, once", async () => {
    const storage = memoryStorage();
    const send = ok();
    await captureReferral("?ref=k7qx2mzp", "/cart/update.js", storage, send);
    expect(send).toHaveBeenCalledTimes(1);
    const [url, init] = send.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("/cart/update.js");
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ attributes: { [CART_ATTRIBUTE]: "K7QX2MZP" } });
    expect(storage.items.get(STORED_CODE_KEY)).toBe("K7QX2MZP");
    expect(storage.items.get(SENT_CODE_KEY)).toBe("K7QX2MZP");

    await captureReferral("?ref=K7QX2MZP", "/cart/update.js", storage, send);
    await captureReferral("", "/cart/update.js", storage, send);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("is sent again only when a different code arrives", async () => {
    const storage = memoryStorage({ [STORED_CODE_KEY]: "K7QX2MZP", [SENT_CODE_KEY]: "K7QX2MZP" });
    const send = ok();
    await captureReferral("?ref=ZZZZ9999", "/fr/cart/update.js", storage, send);
    expect(send).toHaveBeenCalledTimes(1);
    expect(storage.items.get(SENT_CODE_KEY)).toBe("ZZZZ9999");
  });

  it("is sent again on a later page when the cart refused it", async () => {
    const storage = memoryStorage();
    const failing = vi.fn(async () => new Response("", { status: 500 })) as unknown as typeof fetch;
    await captureReferral("?ref=K7QX2MZP", "/cart/update.js", storage, failing);
    expect(storage.items.get(SENT_CODE_KEY)).toBeUndefined();
    const send = ok();
    await captureReferral("", "/cart/update.js", storage, send);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("never throws, even when storage or the network does", async () => {
    const throwing = { getItem: () => { throw new Error("blocked"); }, setItem: () => { throw new Error("blocked"); } };
    await expect(captureReferral("?ref=K7QX2MZP", "/cart/update.js", throwing, ok())).resolves.toBeUndefined();
    const offline = vi.fn(async () => { throw new TypeError("Failed to fetch"); }) as unknown as typeof fetch;
    await expect(captureReferral("?ref=K7QX2MZP", "/cart/update.js", memoryStorage(), offline)).resolves.toBeUndefined();
  });

  it("ignores an invalid code, keeping the one stored", async () => {
    const storage = memoryStorage({ [STORED_CODE_KEY]: "K7QX2MZP", [SENT_CODE_KEY]: "K7QX2MZP" });
    const send = ok();
    await captureReferral("?ref=<img>", "/cart/update.js", storage, send);
    expect(storage.items.get(STORED_CODE_KEY)).toBe("K7QX2MZP");
    expect(send).not.toHaveBeenCalled();
  });
});

describe("plural forms and placeholders", () => {
  const points = { one: "{points} point", other: "{points} points" };

  it("follow the locale's rules (French counts 0 as one)", () => {
    expect(plural(points, 1, "en")).toBe("{points} point");
    expect(plural(points, 0, "en")).toBe("{points} points");
    expect(plural(points, 0, "fr")).toBe("{points} point");
    expect(plural(points, -40, "en")).toBe("{points} points");
    expect(countText(points, 350, "de", { points: 350 })).toBe("350 points");
  });

  it("fill only the placeholders given, as plain text", () => {
    expect(fill("{points} points to {tier}", { points: 5, tier: "<b>Gold</b>" })).toBe("5 points to <b>Gold</b>");
    expect(fill("{unknown} stays", {})).toBe("{unknown} stays");
  });
});

describe("the summary metafield", () => {
  it("is the member's view as the proxy serves it, minus what Liquid does not need", () => {
    const member: MemberView = {
      customerId: 501,
      firstName: "Ada",
      balance: 120,
      pendingBalance: 5,
      lifetimeEarned: 150,
      tier: { id: 1, name: "Silver", thresholdPoints: 100, multiplierPercent: 100 },
      nextTier: { id: 2, name: "Gold", thresholdPoints: 500, multiplierPercent: 150 },
      progress: { basis: "points", current: 150, target: 500, remaining: 350, percent: 30, remainingAmount: null },
      referralCode: "K7QX2MZP",
      referralUrl: "https://tally-test.myshopify.com/?ref=K7QX2MZP",
      redemptions: [],
      referrals: { referred: 0, converted: 0, pointsEarned: 0 },
      birthday: null,
      summaryVersion: 7,
    };
    expect(summaryFromMember(member, new Date("2026-11-20T10:00:00Z"))).toEqual({
      version: 7,
      balance: 120,
      pendingBalance: 5,
      lifetimeEarned: 150,
      tier: { name: "Silver" },
      nextTier: { name: "Gold", thresholdPoints: 500 },
      progress: { basis: "points", current: 150, target: 500, remaining: 350, percent: 30, remainingAmount: null },
      referralUrl: "https://tally-test.myshopify.com/?ref=K7QX2MZP",
      redemptions: [],
      referrals: { referred: 0, converted: 0, pointsEarned: 0 },
      birthday: null,
      updatedAt: "2026-11-20T10:00:00.000Z",
    });
  });
});

describe("whether the painted summary is enough", () => {
  const storage = () => {
    const values = new Map<string, string>();
    return { getItem: (key: string) => values.get(key) ?? null, setItem: (key: string, value: string) => void values.set(key, value) };
  };

  it("is current when at least as new as any answer this browser saw for the customer", () => {
    const store = storage();
    expect(summaryIsCurrent(SILVER_MEMBER, "501", store)).toBe(true);
    rememberVersion(store, "501", 9);
    expect(summaryIsCurrent(SILVER_MEMBER, "501", store)).toBe(false); // version 7 < 9
    expect(summaryIsCurrent({ ...SILVER_MEMBER, version: 9 }, "501", store)).toBe(true);
    // Another customer on the same browser has their own.
    expect(summaryIsCurrent(SILVER_MEMBER, "502", store)).toBe(true);
    // Never moves back.
    rememberVersion(store, "501", 3);
    expect(knownVersion(store, "501")).toBe(9);
  });

  it("is not current when missing or written before summaries carried a version", () => {
    expect(summaryIsCurrent(null, "501", storage())).toBe(false);
    const { version: _version, ...unversioned } = SILVER_MEMBER;
    expect(summaryIsCurrent(unversioned as typeof SILVER_MEMBER, "501", storage())).toBe(false);
  });

  it("works without storage (blocked site data): the summary alone decides", () => {
    expect(summaryIsCurrent(SILVER_MEMBER, "501", null)).toBe(true);
    const throwing = { getItem: () => { throw new Error("blocked"); }, setItem: () => { throw new Error("blocked"); } };
    expect(summaryIsCurrent(SILVER_MEMBER, "501", throwing)).toBe(true);
    expect(() => rememberVersion(throwing, "501", 10)).not.toThrow();
  });
});
