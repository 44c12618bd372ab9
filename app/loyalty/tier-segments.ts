// What Shopify's customer segments and Flow read of a member (README "Segments (tags and
// metafields)"): the tier as a customer tag, `tally-tier-<handle>`, and the balance, tier and
// pending points as plain metafields in the `tally` namespace.

/** The tag of a tier: "tally-tier-" and the tier name as a handle ("Gold Plus" → tally-tier-gold-plus). */
export function tierTag(tierName: string): string {
  const handle = tierName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `tally-tier-${handle || "tier"}`;
}

export const TIER_TAG_PREFIX = "tally-tier-";

/** The tag changes that bring a member whose tag Shopify has is `synced` to `wanted` (null: no tier). */
export function tierTagChanges(wanted: string | null, synced: string | null, shopTierTags: readonly string[]): { add: string[]; remove: string[] } | null {
  if (wanted === synced) return null;
  const remove = [...new Set([...(synced === null ? [] : [synced]), ...shopTierTags])].filter((tag) => tag !== wanted).sort();
  return { add: wanted === null ? [] : [wanted], remove };
}

export const SEGMENT_NAMESPACE = "tally";

/** The definitions of the segment metafields (what the segment editor lists), one per key segmentMetafields writes. */
export const SEGMENT_METAFIELD_DEFINITIONS = [
  { key: "balance", type: "number_integer", name: "Tally points balance", description: "Points the customer can spend now (Tally loyalty)." },
  { key: "pending", type: "number_integer", name: "Tally pending points", description: "Points earned but not yet available (Tally loyalty)." },
  { key: "tier", type: "single_line_text_field", name: "Tally VIP tier", description: "The VIP tier the customer holds (Tally loyalty); absent without a tier." },
] as const;

/** The segment metafields of a member: balance and pending points, and the tier's name when they hold one. */
export function segmentMetafields(member: { balance: number; pendingBalance: number; tierName: string | null }) {
  return [
    { namespace: SEGMENT_NAMESPACE, key: "balance", type: "number_integer", value: String(member.balance) },
    { namespace: SEGMENT_NAMESPACE, key: "pending", type: "number_integer", value: String(member.pendingBalance) },
    ...(member.tierName === null ? [] : [{ namespace: SEGMENT_NAMESPACE, key: "tier", type: "single_line_text_field", value: member.tierName }]),
  ];
}
