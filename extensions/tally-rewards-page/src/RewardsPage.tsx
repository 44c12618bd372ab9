// The Rewards page of customer accounts: everything a member has and can do with their points.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { pointsToSpend } from "../../shared/points";
import { tally, TallyError } from "../../shared/tally-api";
import type { ActivityAnswer, ActivityEntry, CustomerAnswer, Member, Program, RedeemAnswer, Redemption } from "../../shared/types";
import { useTally } from "../../shared/use-tally";

export default async () => {
  render(<RewardsPage />, document.body);
};

const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options) as string;
const points = (count: number) => t("points", { count, points: shopify.i18n.formatNumber(count) });
const money = (amount: string | null, currency: string | null) => (amount && currency ? shopify.i18n.formatCurrency(Number(amount), { currency }) : "");

function RewardsPage() {
  const [load, retry, setCustomer] = useTally<CustomerAnswer>(shopify, "/extensions/customer");
  if (load.state === "loading") return <s-page heading={t("title")}><s-spinner accessibilityLabel={t("loading")} /></s-page>;
  if (load.state === "error" || !load.data.member) {
    return (
      <s-page heading={t("title")}>
        <s-banner tone="critical" heading={t("error")}>
          <s-button onClick={retry}>{t("retry")}</s-button>
        </s-banner>
      </s-page>
    );
  }
  const { member, program } = load.data;
  const update = (next: Member) => setCustomer({ member: next, program });
  return (
    <s-page heading={program.name || t("title")}>
      <s-stack gap="base">
        <Balance member={member} />
        {program.tiers.length > 0 && <Tiers member={member} program={program} />}
        <Rewards member={member} program={program} update={update} />
        {/* Read again when the balance changes (a redeem adds an entry). */}
        <Activity key={member.balance} />
        <Referral member={member} />
        <Birthday member={member} update={update} />
      </s-stack>
    </s-page>
  );
}

function Balance({ member }: { member: Member }) {
  return (
    <s-section heading={t("balance.heading")}>
      <s-heading>{points(member.balance)}</s-heading>
      {member.pendingBalance > 0 && <s-text color="subdued">{t("balance.pending", { points: points(member.pendingBalance) })}</s-text>}
      {member.balance < 0 && <s-paragraph>{t("balance.negative")}</s-paragraph>}
    </s-section>
  );
}

function Tiers({ member, program }: { member: Member; program: Program }) {
  const perks = (tierId: number, multiplier: number) =>
    [multiplier !== 100 && t("tier.multiplier", { multiplier: shopify.i18n.formatNumber(multiplier / 100) }), ...program.rewards.filter((reward) => reward.tierId === tierId).map((reward) => reward.title)].filter(Boolean) as string[];
  return (
    <s-section heading={t("tier.heading")}>
      <s-text type="strong">{member.tier ? t("tier.current", { tier: member.tier.name }) : t("tier.none")}</s-text>
      {member.tier && <Perks perks={perks(member.tier.id, member.tier.multiplierPercent)} />}
      {member.nextTier && member.progress ? (
        <s-stack gap="small-200">
          <s-progress value={member.progress.current} max={member.progress.target} accessibilityLabel={t("tier.progress", { tier: member.nextTier.name })} />
          <s-text>{t("tier.to_next", { remaining: member.progress.basis === "amount" ? money(member.progress.remainingAmount, program.currency) : points(member.progress.remaining), tier: member.nextTier.name })}</s-text>
          <Perks perks={perks(member.nextTier.id, member.nextTier.multiplierPercent)} />
        </s-stack>
      ) : (
        member.tier && <s-text>{t("tier.top")}</s-text>
      )}
    </s-section>
  );
}

const Perks = ({ perks }: { perks: string[] }) =>
  perks.length > 0 && (
    <s-unordered-list>
      {perks.map((perk) => (
        <s-list-item key={perk}>{perk}</s-list-item>
      ))}
    </s-unordered-list>
  );

const REDEEM_ERRORS = ["not_enough_points", "reward_unavailable", "too_many_redeems", "shopify_failed", "shopify_unavailable"];

function Rewards({ member, program, update }: { member: Member; program: Program; update: (member: Member) => void }) {
  const [busy, setBusy] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<{ redemption?: Redemption; error?: string } | null>(null);
  const redeem = async (rewardId: number, spend: number, variable: boolean) => {
    setBusy(rewardId);
    setOutcome(null);
    try {
      const answer = await tally<RedeemAnswer>(shopify, "/extensions/redeem", variable ? { rewardId, points: spend } : { rewardId });
      update(answer.member);
      setOutcome({ redemption: answer.redemption });
    } catch (error) {
      const code = error instanceof TallyError ? error.code : "";
      setOutcome({ error: `redeem.error.${REDEEM_ERRORS.includes(code) ? code : "generic"}` });
    }
    setBusy(null);
  };
  return (
    <s-section heading={t("rewards.heading")}>
      <s-stack gap="base">
        {outcome?.error && <s-banner tone="critical">{t(outcome.error)}</s-banner>}
        {outcome?.redemption && <s-banner tone="success">{outcome.redemption.status === "pending" ? t("redeem.pending") : t("redeem.done")}</s-banner>}
        {program.rewards.length === 0 && <s-text color="subdued">{t("rewards.empty")}</s-text>}
        {program.rewards.map((reward) => {
          const spend = pointsToSpend(reward, member, program.tiers);
          return (
            <s-stack key={reward.id} direction="inline" gap="base" justifyContent="space-between" alignItems="center">
              <s-stack gap="none">
                <s-text type="strong">{reward.title}</s-text>
                <s-text color="subdued">{points(spend ?? reward.variable?.minPoints ?? reward.costPoints)}</s-text>
              </s-stack>
              <s-button disabled={spend === null || busy !== null} loading={busy === reward.id} onClick={() => spend !== null && redeem(reward.id, spend, reward.variable !== null)} accessibilityLabel={t("rewards.redeem_label", { title: reward.title })}>
                {t("rewards.redeem")}
              </s-button>
            </s-stack>
          );
        })}
        <s-heading>{t("codes.heading")}</s-heading>
        {member.redemptions.length === 0 ? <s-text color="subdued">{t("codes.empty")}</s-text> : member.redemptions.map((redemption) => <Code key={redemption.id} redemption={redemption} />)}
      </s-stack>
    </s-section>
  );
}

function Code({ redemption }: { redemption: Redemption }) {
  const id = `tally-code-${redemption.id}`;
  return (
    <s-stack direction="inline" gap="base" justifyContent="space-between" alignItems="center">
      <s-stack gap="none">
        <s-text>{redemption.title}</s-text>
        {redemption.code ? <s-text type="strong">{redemption.code}</s-text> : <s-text>{t("codes.credited", { amount: money(redemption.amount, redemption.currency) })}</s-text>}
        {redemption.expiresAt && <s-text color="subdued">{t("codes.expires", { date: shopify.i18n.formatDate(new Date(redemption.expiresAt)) })}</s-text>}
      </s-stack>
      {redemption.code && (
        <>
          <s-button commandFor={id} command="--copy" accessibilityLabel={t("codes.copy_label", { code: redemption.code })}>{t("copy")}</s-button>
          <s-clipboard-item id={id} text={redemption.code} />
        </>
      )}
    </s-stack>
  );
}

/** Order names ("#1042") from the Customer Account API, which knows the customer's own orders. */
async function orderNames(ids: number[]): Promise<Record<number, string>> {
  if (ids.length === 0) return {};
  const query = `query(${ids.map((_, i) => `$o${i}:ID!`).join(",")}){${ids.map((_, i) => `o${i}:order(id:$o${i}){name}`).join(" ")}}`;
  const variables = Object.fromEntries(ids.map((id, i) => [`o${i}`, `gid://shopify/Order/${id}`]));
  try {
    const response = await fetch("shopify://customer-account/api/2026-07/graphql.json", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query, variables }) });
    const data = ((await response.json()) as { data?: Record<string, { name: string } | null> }).data ?? {};
    return Object.fromEntries(ids.map((id, i) => [id, data[`o${i}`]?.name ?? ""]));
  } catch {
    return {}; // The history still reads "Order" without its number.
  }
}

function Activity() {
  const [pages, setPages] = useState<string[]>(["/extensions/activity"]);
  return (
    <s-section heading={t("activity.heading")}>
      <s-stack gap="small-200">
        {pages.map((path, index) => (
          <ActivityPage key={path} path={path} last={index === pages.length - 1} more={(next) => setPages([...pages, `/extensions/activity?before=${next}`])} />
        ))}
      </s-stack>
    </s-section>
  );
}

function ActivityPage({ path, last, more }: { path: string; last: boolean; more: (next: number) => void }) {
  const [load, retry] = useTally<ActivityAnswer>(shopify, path);
  const [names, setNames] = useState<Record<number, string>>({});
  const loaded = load.state === "done" ? load.data.entries : null;
  useEffect(() => {
    if (loaded) orderNames([...new Set(loaded.flatMap((entry) => (entry.orderId === null ? [] : [entry.orderId])))]).then(setNames);
  }, [loaded]);
  if (load.state === "loading") return <s-skeleton-paragraph />;
  if (load.state === "error") {
    return (
      <s-banner tone="critical" heading={t("error")}>
        <s-button onClick={retry}>{t("retry")}</s-button>
      </s-banner>
    );
  }
  const { entries, next } = load.data;
  if (entries.length === 0 && path === "/extensions/activity") return <s-text color="subdued">{t("activity.empty")}</s-text>;
  return (
    <>
      {entries.map((entry) => (
        <s-stack key={entry.id} direction="inline" justifyContent="space-between" gap="base">
          <s-text>{activityWords(entry, names)}</s-text>
          <s-text type="strong">{`${entry.points > 0 ? "+" : "−"}${shopify.i18n.formatNumber(Math.abs(entry.points))}`}</s-text>
        </s-stack>
      ))}
      {last && next !== null && <s-button onClick={() => more(next)}>{t("activity.more")}</s-button>}
    </>
  );
}

const ACTIVITY_KINDS = ["earn", "refund_reversal", "cancel_reversal", "order_edit", "order_move", "pending_release", "redeem", "redeem_refund", "manual_adjust", "signup", "birthday", "referral", "expiry", "action", "tier_adjustment"];

/** "Order #1042", "Refund on order #1042", "Redeemed 5.00 off", … (and when, and whether pending). */
export function activityWords(entry: ActivityEntry, names: Record<number, string>): string {
  const kind = ACTIVITY_KINDS.includes(entry.kind) ? entry.kind : "other";
  const words = t(`activity.${kind}`, { order: (entry.orderId !== null && names[entry.orderId]) || "", reward: entry.reward ?? "" })
    // Without the order's name: "Order : points…" reads "Order: points…".
    .replace(/\s+/g, " ")
    .replace(/ ([:,])/g, "$1")
    .trim();
  const date = shopify.i18n.formatDate(new Date(entry.createdAt), { day: "numeric", month: "short" });
  return `${date} · ${words}${entry.status === "pending" ? ` (${t("activity.pending")})` : ""}`;
}

function Referral({ member }: { member: Member }) {
  const { referred, converted, pointsEarned } = member.referrals;
  return (
    <s-section heading={t("referral.heading")}>
      <s-stack gap="small-200">
        <s-paragraph>{t("referral.intro")}</s-paragraph>
        <s-text type="strong">{member.referralUrl}</s-text>
        <s-button commandFor="tally-referral-link" command="--copy">{t("referral.copy")}</s-button>
        <s-clipboard-item id="tally-referral-link" text={member.referralUrl} onCopy={() => shopify.toast.show(t("referral.copied"))} />
        {referred > 0 && <s-text color="subdued">{t("referral.stats", { referred, converted, points: points(pointsEarned) })}</s-text>}
      </s-stack>
    </s-section>
  );
}

function Birthday({ member, update }: { member: Member; update: (member: Member) => void }) {
  const [month, setMonth] = useState("");
  const [day, setDay] = useState("");
  const [state, setState] = useState<"idle" | "saving" | "error">("idle");
  if (member.birthday) {
    const [mm, dd] = member.birthday.split("-").map(Number);
    return (
      <s-section heading={t("birthday.heading")}>
        <s-text>{t("birthday.set", { date: shopify.i18n.formatDate(new Date(Date.UTC(2000, mm - 1, dd)), { day: "numeric", month: "long", timeZone: "UTC" }) })}</s-text>
      </s-section>
    );
  }
  const save = async () => {
    setState("saving");
    try {
      update((await tally<CustomerAnswer>(shopify, "/extensions/birthday", { month: Number(month), day: Number(day) })).member!);
    } catch {
      setState("error");
    }
  };
  const options = (count: number, label: (n: number) => string) =>
    Array.from({ length: count }, (_, i) => (
      <s-option key={i} value={String(i + 1)}>
        {label(i + 1)}
      </s-option>
    ));
  return (
    <s-section heading={t("birthday.heading")}>
      <s-stack gap="base">
        <s-paragraph>{t("birthday.intro")}</s-paragraph>
        {state === "error" && <s-banner tone="critical">{t("birthday.error")}</s-banner>}
        <s-stack direction="inline" gap="base">
          <s-select label={t("birthday.month")} value={month} onChange={(event) => setMonth(valueOf(event))}>
            {options(12, (n) => shopify.i18n.formatDate(new Date(Date.UTC(2000, n - 1, 1)), { month: "long", timeZone: "UTC" }))}
          </s-select>
          <s-select label={t("birthday.day")} value={day} onChange={(event) => setDay(valueOf(event))}>
            {options(31, String)}
          </s-select>
        </s-stack>
        <s-button disabled={!month || !day} loading={state === "saving"} onClick={save}>
          {t("birthday.save")}
        </s-button>
      </s-stack>
    </s-section>
  );
}

const valueOf = (event: Event) => (event.currentTarget as unknown as { value: string }).value;
