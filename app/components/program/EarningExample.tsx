// "An order of 57.60 earns 57 points": the live example beside the earning rule, computed by the
// ledger's own function (pointsForAmount) in the shop's currency and its ISO 4217 minor unit.
import { TextField, Text, BlockStack } from "@shopify/polaris";
import { useState } from "react";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";
import { earningRate, pointsForAmount } from "~/loyalty/earning";
import { currencyExponent, isKnownCurrency, MoneyFormatError, parseMinorUnits } from "~/loyalty/money";

interface Props {
  points: string;
  perMajorUnits: string;
  currency: string | null;
  locale: string;
}

/** A currency's example order: 57.60 with two decimals, 5760 in yen, 57.600 in dinars. */
function exampleFor(exponent: number): string {
  return exponent === 0 ? "5760" : `57.${"600".padEnd(exponent, "0").slice(0, exponent)}`;
}

export function EarningExample({ points, perMajorUnits, currency, locale }: Props) {
  const t = useTranslate(programMessages);
  const exponent = currency && isKnownCurrency(currency) ? currencyExponent(currency) : 2;
  const [amount, setAmount] = useState(exampleFor(exponent));
  const example = earnedBy(amount, exponent, points, perMajorUnits);
  const formatted =
    example === null
      ? null
      : new Intl.NumberFormat(locale, currency ? { style: "currency", currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent } : { minimumFractionDigits: exponent }).format(
          example.amountMinor / 10 ** exponent,
        );
  return (
    <BlockStack gap="200">
      <TextField label={t("exampleAmount")} value={amount} onChange={setAmount} autoComplete="off" inputMode="decimal" suffix={currency ?? undefined} />
      <Text as="p" variant="headingSm" id="earning-example">
        <span aria-live="polite">
          {example === null || formatted === null
            ? t("exampleInvalid")
            : example.points === 1
              ? t("exampleOne", { amount: formatted })
              : t("example", { amount: formatted, points: example.points })}
        </span>
      </Text>
    </BlockStack>
  );
}

function earnedBy(amount: string, exponent: number, points: string, perMajorUnits: string): { amountMinor: number; points: number } | null {
  const rule = { points: Number(points), perMajorUnits: Number(perMajorUnits) };
  if (!/^\d+$/.test(points.trim()) || !/^\d+$/.test(perMajorUnits.trim()) || rule.perMajorUnits < 1 || rule.points > 10_000 || rule.perMajorUnits > 1_000_000) return null;
  try {
    const amountMinor = parseMinorUnits(amount, exponent);
    return { amountMinor, points: pointsForAmount(amountMinor, exponent, earningRate(rule)) };
  } catch (error) {
    if (error instanceof MoneyFormatError) return null;
    throw error;
  }
}
