// The thank-you page: what this order earns. Until Tally has processed the order's orders/paid
// webhook (seconds, usually) the figure is an estimate from the public program, read again a few
// times; then it is what was credited. A guest is invited to create an account.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { estimatedPoints } from "../../shared/points";
import { numericId, tally } from "../../shared/tally-api";
import type { CustomerAnswer, OrderAnswer } from "../../shared/types";
import { useTally } from "../../shared/use-tally";

export default async () => {
  render(<ThankYouPoints />, document.body);
};

/** How often, and how long apart, the order is read again while Tally has not processed it. */
export const ORDER_READS = 6;
export const ORDER_READ_INTERVAL_MS = 5_000;

const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options) as string;
const points = (count: number) => ({ count, points: shopify.i18n.formatNumber(count) });

function ThankYouPoints() {
  const [load, retry] = useTally<CustomerAnswer>(shopify, "/extensions/customer");
  const orderId = numericId(shopify.orderConfirmation.value?.order.id);
  const member = load.state === "done" ? load.data.member : null;
  const order = useCreditedOrder(member !== null ? orderId : null);
  if (load.state === "loading") return <s-skeleton-paragraph />;
  if (load.state === "error") {
    return (
      <s-banner tone="critical" heading={t("error")}>
        <s-button onClick={retry}>{t("retry")}</s-button>
      </s-banner>
    );
  }
  const { program } = load.data;
  const subtotal = shopify.cost.subtotalAmount.value;
  const estimate = subtotal ? estimatedPoints(subtotal.amount, subtotal.currencyCode, program, member?.tier?.multiplierPercent) : null;
  if (!member) {
    const storefront = shopify.shop.storefrontUrl;
    return (
      <s-banner heading={t("guest.heading", { program: program.name })}>
        <s-stack gap="small-200">
          <s-text>{estimate ? t("guest.estimate", points(estimate)) : t("guest.intro")}</s-text>
          {storefront && <s-link href={`${storefront.replace(/\/$/, "")}/account`}>{t("guest.create_account")}</s-link>}
        </s-stack>
      </s-banner>
    );
  }
  return (
    <s-banner tone="success" heading={t("heading")}>
      <s-text>
        {order?.status === "credited"
          ? t("credited", points(order.points))
          : estimate
            ? t("estimate", points(estimate))
            : t("later")}
      </s-text>
    </s-banner>
  );
}

/** The order as Tally holds it, read until credited (or ORDER_READS times); null meanwhile. */
function useCreditedOrder(orderId: string | null): OrderAnswer["order"] {
  const [order, setOrder] = useState<OrderAnswer["order"]>(null);
  useEffect(() => {
    if (!orderId) return;
    let reads = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () =>
      tally<OrderAnswer>(shopify, `/extensions/orders/${orderId}`)
        .then((answer) => answer.order, () => null)
        .then((found) => {
          if (stopped) return;
          if (found) setOrder(found);
          if (found?.status !== "credited" && ++reads < ORDER_READS) timer = setTimeout(read, ORDER_READ_INTERVAL_MS);
        });
    read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [orderId]);
  return order;
}
