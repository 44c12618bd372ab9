import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, likePrefixPattern, memberIndexQuery, parseMemberSearch, prefixUpperBound, searchKey } from "./member-search";

describe("member search", () => {
  it("folds case, accents and spaces", () => {
    expect(searchKey("  Élodie  Dupont ")).toBe("elodie dupont");
    expect(searchKey("ZOË")).toBe("zoe");
    expect(searchKey("   ")).toBeNull();
    expect(searchKey(null)).toBeNull();
  });

  it("reads digits and customer GIDs as an exact customer id, an @ as an email", () => {
    expect(parseMemberSearch("5100003")).toEqual({ kind: "customerId", customerId: 5100003n });
    expect(parseMemberSearch("gid://shopify/Customer/42")).toEqual({ kind: "customerId", customerId: 42n });
    expect(parseMemberSearch("99999999999999999999").kind).toBe("text");
    expect(parseMemberSearch("Ada@Example")).toEqual({ kind: "email", prefix: "ada@example" });
    expect(parseMemberSearch("Ada Love")).toEqual({ kind: "text", prefix: "ada love", first: "ada", rest: "love" });
    expect(parseMemberSearch("")).toEqual({ kind: "all" });
  });

  it("bounds a prefix range and escapes LIKE's wildcards", () => {
    expect("ada.lovelace" < prefixUpperBound("ada")).toBe(true);
    expect("adb" < prefixUpperBound("ada")).toBe(false);
    expect(likePrefixPattern("50%_a\\")).toBe("50\\%\\_a\\\\%");
  });

  it("round-trips cursors and refuses tampered ones", () => {
    const cursor = { value: -12n, id: 7 };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("not-a-cursor")).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(["1", -1])).toString("base64url"))).toBeNull();
    expect(memberIndexQuery(new URLSearchParams("sort=evil&tier=x&after=zz"))).toMatchObject({ sort: "balance_desc", tier: { kind: "any" }, after: null });
  });
});
