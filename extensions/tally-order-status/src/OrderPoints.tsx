// The order status page: what this order earned, or what a refund or cancellation took back.
import { render } from "preact";
import { numericId } from "../../shared/tally-api";
import type { OrderAnswer } from "../../shared/types";
import { useTally } from "../../shared/use-tally";

export default async () => {
  render(<OrderPoints />, document.body);
};

const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options) as string;

function OrderPoints() {
  const orderId = numericId(shopify.order.value?.id);
  const [load, retry] = useTally<OrderAnswer>(shopify, orderId && `/extensions/orders/${orderId}`);
  if (!orderId) return null;
  if (load.state === "loading") return <s-section heading={t("heading")}><s-skeleton-paragraph /></s-section>;
  if (load.state === "error") {
    return (
      <s-section heading={t("heading")}>
        <s-banner tone="critical" heading={t("error")}>
          <s-button onClick={retry}>{t("retry")}</s-button>
        </s-banner>
      </s-section>
    );
  }
  const order = load.data.order;
  const count = order?.points ?? 0;
  const options = { count, points: shopify.i18n.formatNumber(count) };
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="small-200">
        <s-text>{order ? t(`status.${order.status}`, options) : t("status.not_yet")}</s-text>
        <s-link href="extension:tally-rewards-page/">{t("see_rewards")}</s-link>
      </s-stack>
    </s-section>
  );
}
