// The parts of Tally's extension API answers the extensions read (README "Extension API").

export interface Tier {
  id: number;
  name: string;
  thresholdPoints: number;
  multiplierPercent: number;
}

export interface Reward {
  id: number;
  title: string;
  kind: string;
  costPoints: number;
  amount: string | null;
  minimumSubtotal: string | null;
  variable: { minPoints: number; maxPoints: number; stepPoints: number } | null;
  tierId: number | null;
}

export interface Program {
  name: string;
  currency: string | null;
  earning: { points: number; perMajorUnits: number };
  rewards: Reward[];
  tiers: Tier[];
}

export interface Redemption {
  id: number;
  title: string;
  status: string;
  code: string | null;
  amount: string | null;
  currency: string | null;
  pointsSpent: number;
  expiresAt: string | null;
}

export interface Member {
  balance: number;
  pendingBalance: number;
  lifetimeEarned: number;
  tier: Tier | null;
  nextTier: Tier | null;
  /** Toward nextTier, in points or (basis "amount") minor units of the shop currency, remainingAmount its decimal. */
  progress: { basis: "points" | "amount"; current: number; target: number; remaining: number; percent: number; remainingAmount: string | null } | null;
  referralUrl: string;
  redemptions: Redemption[];
  referrals: { referred: number; converted: number; pointsEarned: number };
  birthday: string | null;
}

export interface CustomerAnswer {
  member: Member | null;
  program: Program;
}

export interface OrderAnswer {
  order: null | { id: number; points: number; status: "awaiting_payment" | "credited" | "refunded" | "cancelled" };
}

export interface RedeemAnswer {
  redemption: Redemption;
  member: Member;
}

export interface ActivityEntry {
  id: number;
  kind: string;
  points: number;
  status: "available" | "pending";
  createdAt: string;
  orderId: number | null;
  reward: string | null;
}

export interface ActivityAnswer {
  entries: ActivityEntry[];
  next: number | null;
}
