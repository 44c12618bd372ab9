// Birthdays, pure: the month and day a shopper gives, and which members' birthday a moment is in
// the shop's time zone.

/** A month and day that exist in some year (29 February included): "MM-DD", or null. */
export function birthdayOf(month: number, day: number): string | null {
  if (!Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1) return null;
  // 2024 is a leap year: every real month-day exists in it.
  if (day > new Date(Date.UTC(2024, month, 0)).getUTCDate()) return null;
  return `${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The calendar day `at` falls on in `timeZone` (UTC when null): year and "MM-DD". */
export function dayIn(at: Date, timeZone: string | null): { year: number; monthDay: string } {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: timeZone ?? "UTC", year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { year: Number(part("year")), monthDay: `${part("month")}-${part("day")}` };
}

/** The birthdays celebrated on `monthDay` of `year`: 29 February's fall on 28 February in other years. */
export function birthdaysCelebratedOn(year: number, monthDay: string): string[] {
  const leap = new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1;
  return !leap && monthDay === "02-28" ? ["02-28", "02-29"] : [monthDay];
}

/** A birthday set less than this long before the day earns nothing that year (set on the day to cash in). */
export const BIRTHDAY_NOTICE_DAYS = 30;
