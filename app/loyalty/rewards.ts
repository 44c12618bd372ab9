// Rewards a member can spend points on, and what one redemption of a reward is worth. Pure: the
// database rows come in, a validated definition and a priced redemption come out.
import { z } from "zod";

export const REWARD_KINDS = ["fixed_amount", "percentage", "free_shipping", "free_product", "store_credit", "variable"] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];

/** Kinds Shopify issues as a discount code (the rest is store credit). */
export function issuesCode(kind: RewardKind): boolean {
  return kind !== "store_credit";
}

const points = z.number().int().min(1).max(100_000_000);
const minor = z.number().int().min(1).max(1_000_000_000_000);

const common = {
  id: z.number().int(),
  title: z.string().min(1).max(255),
  costPoints: points,
  enabled: z.boolean(),
  minimumSubtotalMinor: minor.nullable(),
  codeExpiryDays: z.number().int().min(1).max(3650).nullable(),
  combinesWith: z.object({ order: z.boolean(), product: z.boolean(), shipping: z.boolean() }),
  tierId: z.number().int().nullable(),
};

/**
 * A reward as the rules read it. `variable`: every `costPoints` points are worth `amountMinor`
 * off, and the member picks a number of points from `minPoints` to `maxPoints` in steps of
 * `stepPoints` (a multiple of costPoints, so that every choice is worth a whole amount).
 */
export const rewardSchema = z.discriminatedUnion("kind", [
  z.object({ ...common, kind: z.literal("fixed_amount"), amountMinor: minor }),
  z.object({ ...common, kind: z.literal("percentage"), percentage: z.number().int().min(1).max(100) }),
  z.object({ ...common, kind: z.literal("free_shipping") }),
  z.object({
    ...common,
    kind: z.literal("free_product"),
    variantGid: z.string().regex(/^gid:\/\/shopify\/ProductVariant\/[1-9]\d{0,18}$/),
    amountMinor: minor,
  }),
  z.object({ ...common, kind: z.literal("store_credit"), amountMinor: minor }),
  z
    .object({ ...common, kind: z.literal("variable"), amountMinor: minor, minPoints: points, maxPoints: points, stepPoints: points })
    .refine((reward) => reward.stepPoints % reward.costPoints === 0, { message: "stepPoints must be a multiple of costPoints", path: ["stepPoints"], params: { key: "errorStepMultiple" } })
    .refine((reward) => reward.minPoints <= reward.maxPoints, { message: "minPoints must not exceed maxPoints", path: ["minPoints"], params: { key: "errorMinAboveMax" } })
    .refine((reward) => reward.minPoints % reward.stepPoints === 0 && reward.maxPoints % reward.stepPoints === 0, {
      message: "minPoints and maxPoints must be multiples of stepPoints",
      path: ["minPoints"],
      params: { key: "errorRangeSteps" },
    }),
]);

export type Reward = z.infer<typeof rewardSchema>;

/** The Reward table's row, as Prisma returns it. */
export interface RewardRow {
  id: number;
  title: string;
  kind: string;
  costPoints: number;
  amountMinor: number | null;
  percentage: number | null;
  variantGid: string | null;
  minPoints: number | null;
  maxPoints: number | null;
  stepPoints: number | null;
  minimumSubtotalMinor: number | null;
  codeExpiryDays: number | null;
  combinesWithOrder: boolean;
  combinesWithProduct: boolean;
  combinesWithShipping: boolean;
  tierId: number | null;
  enabled: boolean;
}

/** The row as a reward, or null when the row does not make a valid one (never redeemable). */
export function rewardFromRow(row: RewardRow): Reward | null {
  const parsed = rewardSchema.safeParse({
    ...row,
    amountMinor: row.amountMinor ?? undefined,
    percentage: row.percentage ?? undefined,
    variantGid: row.variantGid ?? undefined,
    minPoints: row.minPoints ?? undefined,
    maxPoints: row.maxPoints ?? undefined,
    stepPoints: row.stepPoints ?? undefined,
    combinesWith: { order: row.combinesWithOrder, product: row.combinesWithProduct, shipping: row.combinesWithShipping },
  });
  return parsed.success ? parsed.data : null;
}

/** What one redemption gives: the points it costs and its value. */
export interface RedemptionValue {
  pointsSpent: number;
  /** Minor units of the shop currency off (or credited); null for percentage and free shipping. */
  amountMinor: number | null;
  percentage: number | null;
}

export type RedemptionRefusal =
  | { code: "points_not_allowed"; message: string }
  | { code: "points_required"; message: string }
  | { code: "points_out_of_range"; message: string };

/**
 * The value of redeeming `reward`, for `requestedPoints` when the member picks (variable), or a
 * refusal naming what is wrong with the request.
 */
export function redemptionValue(reward: Reward, requestedPoints: number | undefined): RedemptionValue | RedemptionRefusal {
  if (reward.kind !== "variable") {
    if (requestedPoints !== undefined && requestedPoints !== reward.costPoints) {
      return { code: "points_not_allowed", message: "This reward has a fixed cost; leave points out." };
    }
    const amountMinor = "amountMinor" in reward ? reward.amountMinor : null;
    const percentage = reward.kind === "percentage" ? reward.percentage : null;
    return { pointsSpent: reward.costPoints, amountMinor, percentage };
  }
  if (requestedPoints === undefined) return { code: "points_required", message: "Say how many points to spend on this reward." };
  const { minPoints, maxPoints, stepPoints } = reward;
  if (requestedPoints < minPoints || requestedPoints > maxPoints || requestedPoints % stepPoints !== 0) {
    return {
      code: "points_out_of_range",
      message: `Spend from ${minPoints} to ${maxPoints} points, in steps of ${stepPoints}.`,
    };
  }
  return { pointsSpent: requestedPoints, amountMinor: (requestedPoints / reward.costPoints) * reward.amountMinor, percentage: null };
}

export function isRefusal(value: RedemptionValue | RedemptionRefusal): value is RedemptionRefusal {
  return "code" in value;
}

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read aloud and typed safely

/**
 * A discount code: "TALLY-" and 10 characters from 8 random bytes' worth of the alphabet
 * (~50 bits: not guessable, and it is restricted to its customer besides).
 */
export function newDiscountCode(randomBytes: Uint8Array): string {
  let code = "";
  for (let i = 0; i < 10; i++) code += CODE_ALPHABET[randomBytes[i % randomBytes.length] % CODE_ALPHABET.length];
  return `TALLY-${code}`;
}

/** When a code redeemed at `now` stops working, or null when it does not expire. */
export function codeExpiry(reward: Pick<Reward, "codeExpiryDays">, now: Date): Date | null {
  return reward.codeExpiryDays === null ? null : new Date(now.getTime() + reward.codeExpiryDays * 86_400_000);
}
