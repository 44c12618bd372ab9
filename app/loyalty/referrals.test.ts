import { describe, expect, it } from "vitest";
import { normaliseEmail, normaliseReferralCode, referralRefusal, type ReferralFacts } from "./referrals";

const facts = (overrides: Partial<ReferralFacts> = {}): ReferralFacts => ({
  referrerCustomerId: 1n,
  referrerEmail: "ada@example.com",
  referredCustomerId: 2n,
  referredEmail: "grace@example.com",
  referredHasEarlierOrder: false,
  referrerCreditedThisWeek: 0,
  weeklyCap: 10,
  ...overrides,
});

describe("referral rules", () => {
  it("normalises emails to one mailbox", () => {
    expect(normaliseEmail(" Ada.Lovelace+shop@GMail.com ")).toBe("adalovelace@gmail.com");
    expect(normaliseEmail("a.d.a@googlemail.com")).toBe("ada@gmail.com");
    // Dots matter outside Gmail; tags are dropped everywhere.
    expect(normaliseEmail("ada.l+x@example.com")).toBe("ada.l@example.com");
    expect(normaliseEmail("no-at-sign")).toBeNull();
    expect(normaliseEmail("+tag@example.com")).toBeNull();
    expect(normaliseEmail(null)).toBeNull();
  });

  it("reads referral codes as the widget carries them", () => {
    expect(normaliseReferralCode(" k7qx2mzp ")).toBe("K7QX2MZP");
    expect(normaliseReferralCode("K7QX2MZ0")).toBeNull(); // no 0 or 1 in codes
    expect(normaliseReferralCode("ABC")).toBeNull();
    expect(normaliseReferralCode(undefined)).toBeNull();
  });

  it("credits a new customer referred by someone else", () => {
    expect(referralRefusal(facts())).toBeNull();
  });

  it.each([
    ["self_referral", { referredCustomerId: 1n }],
    ["same_email", { referredEmail: "ADA+friend@example.com" }],
    ["not_new_customer", { referredHasEarlierOrder: true }],
    ["free_order", { referredOrderEligibleMinor: 0 }],
    ["weekly_cap", { referrerCreditedThisWeek: 10 }],
  ] as const)("refuses %s", (reason, overrides) => {
    expect(referralRefusal(facts(overrides))).toBe(reason);
  });

  it("does not take two unknown emails for the same one", () => {
    expect(referralRefusal(facts({ referrerEmail: null, referredEmail: null }))).toBeNull();
  });
});
