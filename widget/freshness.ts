// Whether the summary Liquid painted from the customer metafield is enough, so that an ordinary
// page view asks the app for nothing. The app writes the metafield after every change it makes,
// carrying the member's summary version; this browser remembers the newest version any answer of
// the app showed it (a redemption, a refresh). A summary at least that new is current; one that
// is missing, or older than what this browser has already seen, is not.
import type { CustomerSummary, ShownMember } from "./contract";

const KEY_PREFIX = "tally:summary-version:";

type VersionStorage = Pick<Storage, "getItem" | "setItem">;

export function knownVersion(storage: VersionStorage | null, customer: string | null): number {
  if (!storage || !customer) return 0;
  try {
    return Number(storage.getItem(KEY_PREFIX + customer)) || 0;
  } catch {
    return 0;
  }
}

export function rememberVersion(storage: VersionStorage | null, customer: string | null, version: unknown): void {
  if (!storage || !customer || typeof version !== "number" || version <= knownVersion(storage, customer)) return;
  try {
    storage.setItem(KEY_PREFIX + customer, String(version));
  } catch {
    // Storage full or blocked: the next page view asks the app once more.
  }
}

export function summaryIsCurrent(summary: CustomerSummary | null | undefined, customer: string | null, storage: VersionStorage | null): summary is CustomerSummary {
  return !!summary && typeof summary.version === "number" && Array.isArray(summary.redemptions) && summary.version >= knownVersion(storage, customer);
}

/** The member as the summary shows them. */
export function memberFromSummary(summary: CustomerSummary): ShownMember {
  return { ...summary, summaryVersion: summary.version };
}
