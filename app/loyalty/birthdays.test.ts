import { describe, expect, it } from "vitest";
import { birthdayOf, birthdaysCelebratedOn, dayIn } from "./birthdays";

describe("birthdays", () => {
  it("accepts days that exist, 29 February included", () => {
    expect(birthdayOf(2, 29)).toBe("02-29");
    expect(birthdayOf(12, 31)).toBe("12-31");
    expect(birthdayOf(4, 31)).toBeNull();
    expect(birthdayOf(2, 30)).toBeNull();
    expect(birthdayOf(13, 1)).toBeNull();
    expect(birthdayOf(0, 1)).toBeNull();
    expect(birthdayOf(1.5, 1)).toBeNull();
  });

  it("reads the day in the shop's time zone", () => {
    const at = new Date("2026-03-01T03:00:00Z");
    expect(dayIn(at, "UTC")).toEqual({ year: 2026, monthDay: "03-01" });
    expect(dayIn(at, "America/Los_Angeles")).toEqual({ year: 2026, monthDay: "02-28" });
    expect(dayIn(new Date("2026-12-31T23:30:00Z"), "Asia/Tokyo")).toEqual({ year: 2027, monthDay: "01-01" });
    expect(dayIn(at, null)).toEqual({ year: 2026, monthDay: "03-01" });
  });

  it("celebrates 29 February on 28 February outside leap years", () => {
    expect(birthdaysCelebratedOn(2026, "02-28")).toEqual(["02-28", "02-29"]);
    expect(birthdaysCelebratedOn(2028, "02-28")).toEqual(["02-28"]);
    expect(birthdaysCelebratedOn(2028, "02-29")).toEqual(["02-29"]);
  });
});
