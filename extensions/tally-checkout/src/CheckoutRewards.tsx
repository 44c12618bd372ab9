// Checkout: a signed-in member's balance and the rewards it affords. Redeeming spends the points
// (POST /extensions/redeem), and the code Tally creates is applied to this checkout at once.
import { render } from "preact";
import { useState } from "preact/hooks";
import { pointsToSpend } from "../../shared/points";
import { tally, TallyError } from "../../shared/tally-api";
import type { CustomerAnswer, RedeemAnswer } from "../../shared/types";
import { useSignal } from "../../shared/use-signal";
import { useTally } from "../../shared/use-tally";

export default async () => {
  render(<CheckoutRewards />, document.body);
};

const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options) as string;
const points = (count: number) => ({ count, points: shopify.i18n.formatNumber(count) });
const REDEEM_ERRORS = ["not_enough_points", "reward_unavailable", "too_many_redeems", "shopify_failed", "shopify_unavailable"];

function CheckoutRewards() {
  const [load, retry, setCustomer] = useTally<CustomerAnswer>(shopify, "/extensions/customer");
  const subtotal = useSignal(shopify.cost.subtotalAmount);
  const [busy, setBusy] = useState<number | null>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "critical"; text: string } | null>(null);
  if (load.state === "loading") return <s-skeleton-paragraph />;
  if (load.state === "error") {
    return (
      <s-banner tone="critical" heading={t("error")}>
        <s-button onClick={retry}>{t("retry")}</s-button>
      </s-banner>
    );
  }
  const { member, program } = load.data;
  // Guests have no points to spend here; the thank-you page invites them to join.
  if (!member) return null;
  const redeem = async (rewardId: number, spend: number, variable: boolean) => {
    setBusy(rewardId);
    setNotice(null);
    try {
      const answer = await tally<RedeemAnswer>(shopify, "/extensions/redeem", variable ? { rewardId, points: spend } : { rewardId });
      setCustomer({ member: answer.member, program });
      const code = answer.redemption.code;
      if (!code) setNotice({ tone: "success", text: t("redeem.later") });
      else {
        const applied = shopify.instructions.value.discounts.canUpdateDiscountCodes && (await shopify.applyDiscountCodeChange({ type: "addDiscountCode", code })).type === "success";
        setNotice({ tone: "success", text: t(applied ? "redeem.applied" : "redeem.not_applied", { code }) });
      }
    } catch (error) {
      const code = error instanceof TallyError ? error.code : "";
      setNotice({ tone: "critical", text: t(`redeem.error.${REDEEM_ERRORS.includes(code) ? code : "generic"}`) });
    }
    setBusy(null);
  };
  // Codes only: store credit is spent from the customer's account, not by a code here.
  const affordable = program.rewards.flatMap((reward) => {
    const spend = reward.kind === "store_credit" ? null : pointsToSpend(reward, member, program.tiers);
    return spend === null ? [] : [{ reward, spend }];
  });
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="base">
        <s-text>{t("balance", points(member.balance))}</s-text>
        {notice && <s-banner tone={notice.tone}>{notice.text}</s-banner>}
        {affordable.length === 0 ? (
          <s-text color="subdued">{t("none_affordable")}</s-text>
        ) : (
          affordable.map(({ reward, spend }) => {
            const minimum = reward.minimumSubtotal && subtotal && program.currency === subtotal.currencyCode && subtotal.amount < Number(reward.minimumSubtotal);
            return (
              <s-stack key={reward.id} direction="inline" gap="base" justifyContent="space-between" alignItems="center">
                <s-stack gap="none">
                  <s-text type="strong">{reward.title}</s-text>
                  <s-text color="subdued">{minimum ? t("minimum", { amount: shopify.i18n.formatCurrency(Number(reward.minimumSubtotal), { currency: program.currency! }) }) : t("cost", points(spend))}</s-text>
                </s-stack>
                <s-button disabled={busy !== null || !!minimum} loading={busy === reward.id} onClick={() => redeem(reward.id, spend, reward.variable !== null)} accessibilityLabel={t("redeem.label", { title: reward.title })}>
                  {t("redeem.button")}
                </s-button>
              </s-stack>
            );
          })
        )}
      </s-stack>
    </s-section>
  );
}
