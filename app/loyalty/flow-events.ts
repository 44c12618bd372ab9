// What Tally tells Shopify Flow (extensions/tally-flow-*/shopify.extension.toml): each trigger's
// handle and payload. A payload names the customer (`customer_id`, Flow's customer reference)
// and the trigger's fields by their keys in the extension's TOML; a test keeps the two in step.

export const FLOW_TRIGGERS = {
  pointsEarned: "tally-points-earned",
  tierChanged: "tally-tier-changed",
  rewardRedeemed: "tally-reward-redeemed",
  pointsExpiring: "tally-points-expiring",
} as const;

export type FlowTrigger = (typeof FLOW_TRIGGERS)[keyof typeof FLOW_TRIGGERS];

/** A trigger to send, under a key that names the event it tells of (sent once per key). */
export interface FlowEventDraft {
  trigger: FlowTrigger;
  customerId: bigint;
  payload: Record<string, string | number>;
  idempotencyKey: string;
}

/** Ledger kinds that count as earning points for Flow: orders and bonuses, not corrections or returns. */
export const FLOW_EARNED_KINDS: ReadonlySet<string> = new Set(["earn", "signup", "birthday", "referral", "action"]);

/** "Points balance" is added when the trigger is sent (the balance then). */
export function pointsEarnedEvent(customerId: bigint | number | string, points: number, kind: string, ledgerKey: string): FlowEventDraft {
  return {
    trigger: FLOW_TRIGGERS.pointsEarned,
    customerId: BigInt(customerId),
    payload: { customer_id: Number(customerId), "Points earned": points, "Earned for": kind === "earn" ? "order" : kind },
    idempotencyKey: `flow:points-earned:${ledgerKey}`,
  };
}

export function tierChangedEvent(customerId: bigint | number, tier: string | null, previousTier: string | null, summaryVersion: number): FlowEventDraft {
  return {
    trigger: FLOW_TRIGGERS.tierChanged,
    customerId: BigInt(customerId),
    payload: { customer_id: Number(customerId), Tier: tier ?? "", "Previous tier": previousTier ?? "" },
    idempotencyKey: `flow:tier-changed:${customerId}:${summaryVersion}`,
  };
}

export function rewardRedeemedEvent(customerId: bigint | number, redemption: { id: number; title: string; pointsSpent: number; code: string | null }): FlowEventDraft {
  return {
    trigger: FLOW_TRIGGERS.rewardRedeemed,
    customerId: BigInt(customerId),
    payload: { customer_id: Number(customerId), Reward: redemption.title, "Points spent": redemption.pointsSpent, "Discount code": redemption.code ?? "" },
    idempotencyKey: `flow:reward-redeemed:${redemption.id}`,
  };
}

/** A reminder `daysLeft` days before the points expire; once per stretch of inactivity (its last activity). */
export function pointsExpiringEvent(customerId: bigint | number, points: number, expiresAtMs: number, daysLeft: number, lastActivityMs: number): FlowEventDraft {
  return {
    trigger: FLOW_TRIGGERS.pointsExpiring,
    customerId: BigInt(customerId),
    payload: { customer_id: Number(customerId), "Points expiring": points, "Expires on": new Date(expiresAtMs).toISOString().slice(0, 10), "Days left": daysLeft },
    idempotencyKey: `flow:points-expiring:${customerId}:${lastActivityMs}:${daysLeft}`,
  };
}
