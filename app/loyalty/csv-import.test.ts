import { describe, expect, it } from "vitest";
import { detectLayout, parseImport } from "./csv-import";

describe("CSV import parsing", () => {
  it("recognises each layout from its header", () => {
    expect(detectLayout(["id", "first_name", "email", "points_balance"])).toBe("smile");
    expect(detectLayout(["Email", "Points Approved", "Merchant ID"])).toBe("loyaltylion");
    expect(detectLayout(["\uFEFFcustomer_id", "points"])).toBe("generic");
    expect(detectLayout(["email", "points"])).toBe("generic");
    expect(detectLayout(["email", "name"])).toBeNull();
  });

  it("reads quoted cells, thousands separators and CRLF; refuses other numbers by row", () => {
    const parsed = parseImport('email,points,first_name\r\na@example.com,"1,500","Reyes, Nova"\r\nb@example.com,1 500,\r\nc@example.com,1.5,\r\nd@example.com,15.00,\r\n');
    expect(parsed).toMatchObject({
      ok: true,
      rows: [
        { row: 2, email: "a@example.com", points: 1500, firstName: "Reyes, Nova" },
        { row: 3, email: "b@example.com", points: 1500 },
        { row: 5, email: "d@example.com", points: 15 },
      ],
      errors: [{ row: 4, problem: "bad_points" }],
    });
  });

  it("refuses files it cannot read", () => {
    expect(parseImport("")).toEqual({ ok: false, problem: "empty" });
    expect(parseImport("a,b\n1,2")).toEqual({ ok: false, problem: "unknown_layout" });
    expect(parseImport('email,points\n"x,1')).toMatchObject({ ok: false, problem: "unreadable" });
  });
});
