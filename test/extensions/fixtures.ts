// Tally's answers as the README's "Extension API" documents them (test/db/extension-*.test.ts
// call the real endpoints).
export const PROGRAM = {
  name: "Tally Club",
  currency: "EUR",
  earning: { points: 1, perMajorUnits: 1 },
  waysToEarn: [{ kind: "order", points: 1, perMajorUnits: 1 }],
  rewards: [
    { id: 12, title: "5.00 off your order", kind: "fixed_amount", costPoints: 500, amountMinor: 500, amount: "5.00", percentage: null, minimumSubtotal: null, variable: null, tierId: null },
    { id: 13, title: "Free shipping", kind: "free_shipping", costPoints: 2000, amountMinor: null, amount: null, percentage: null, minimumSubtotal: "50.00", variable: null, tierId: 2 },
    { id: 14, title: "Store credit", kind: "store_credit", costPoints: 300, amountMinor: 300, amount: "3.00", percentage: null, minimumSubtotal: null, variable: null, tierId: null },
  ],
  tiers: [
    { id: 1, name: "Silver", thresholdPoints: 500, multiplierPercent: 100 },
    { id: 2, name: "Gold", thresholdPoints: 1500, multiplierPercent: 150 },
  ],
  pendingDays: 0,
  expiryDays: null,
};

export const MEMBER = {
  customerId: 7100000001,
  firstName: "Ada",
  balance: 620,
  pendingBalance: 40,
  lifetimeEarned: 900,
  tier: PROGRAM.tiers[0],
  nextTier: PROGRAM.tiers[1],
  progress: { basis: "points", current: 900, target: 1500, remaining: 600, percent: 60, remainingAmount: null as string | null },
  referralCode: "K7QX2MZP",
  referralUrl: "https://tally-demo.myshopify.com/?ref=K7QX2MZP",
  redemptions: [
    { id: 41, rewardId: 12, kind: "fixed_amount", title: "5.00 off your order", status: "issued", code: "TALLY-K7QX2MZPAB", amount: "5.00", percentage: null, currency: "EUR", pointsSpent: 500, expiresAt: "2027-01-31T00:00:00.000Z", createdAt: "2026-11-30T10:00:00.000Z" },
  ],
  referrals: { referred: 2, converted: 1, pointsEarned: 500 },
  birthday: null as string | null,
};

export const customerAnswer = (member: typeof MEMBER | null = MEMBER) => ({ version: 1, member, program: PROGRAM });
