// The member's balance and tier at a glance, on the order index and the profile, with the way to
// the Rewards page.
import { render } from "preact";
import type { CustomerAnswer } from "../../shared/types";
import { useTally } from "../../shared/use-tally";

export default async () => {
  render(<BalanceBlock />, document.body);
};

const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options) as string;

function BalanceBlock() {
  const [load, retry] = useTally<CustomerAnswer>(shopify, "/extensions/customer");
  const member = load.state === "done" ? load.data.member : null;
  return (
    <s-section heading={t("heading")}>
      {load.state === "loading" ? (
        <s-skeleton-paragraph />
      ) : load.state === "error" || !member ? (
        <s-banner tone="critical" heading={t("error")}>
          <s-button onClick={retry}>{t("retry")}</s-button>
        </s-banner>
      ) : (
        <s-stack direction="inline" gap="base" justifyContent="space-between" alignItems="center">
          <s-stack gap="none">
            <s-text type="strong">{t("balance", { count: member.balance, points: shopify.i18n.formatNumber(member.balance) })}</s-text>
            {member.tier && <s-text color="subdued">{t("tier", { tier: member.tier.name })}</s-text>}
          </s-stack>
          <s-button href="extension:tally-rewards-page/">{t("see_rewards")}</s-button>
        </s-stack>
      )}
    </s-section>
  );
}
