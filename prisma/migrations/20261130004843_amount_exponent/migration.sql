-- AlterTable
ALTER TABLE "OrderSnapshot" ADD COLUMN "amountExponent" INTEGER;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OrderRefund" (
    "shopDomain" TEXT NOT NULL,
    "refundId" BIGINT NOT NULL,
    "orderId" BIGINT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,
    "taxMinor" BIGINT NOT NULL,
    "amountExponent" INTEGER NOT NULL DEFAULT 2,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shopDomain", "refundId"),
    CONSTRAINT "OrderRefund_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_OrderRefund" ("createdAt", "orderId", "refundId", "shopDomain", "subtotalMinor", "taxMinor") SELECT "createdAt", "orderId", "refundId", "shopDomain", "subtotalMinor", "taxMinor" FROM "OrderRefund";
DROP TABLE "OrderRefund";
ALTER TABLE "new_OrderRefund" RENAME TO "OrderRefund";
CREATE INDEX "OrderRefund_shopDomain_orderId_idx" ON "OrderRefund"("shopDomain", "orderId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- Backfill: amounts stored before this migration were parsed at the exponent Intl reported
-- (Node 24's ICU), which for these currencies is not ISO 4217's: HUF, IDR, COP and IQD had 0.
-- Rows keep the exponent they were written at, new rows carry the ISO exponent.
UPDATE "OrderSnapshot" SET "amountExponent" = CASE
    WHEN "currency" IN ('AFN', 'ALL', 'BIF', 'BYR', 'CLP', 'COP', 'DJF', 'GNF', 'HUF', 'IDR', 'IQD', 'IRR', 'ISK', 'JPY',
                        'KMF', 'KPW', 'KRW', 'LAK', 'LBP', 'MGA', 'MMK', 'MRO', 'PKR', 'PYG', 'RWF', 'SLL', 'SOS', 'STD',
                        'SYP', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF', 'YER') THEN 0
    WHEN "currency" IN ('BHD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3
    WHEN "currency" IN ('CLF', 'UYW') THEN 4
    ELSE 2
  END
  WHERE "eligibleMinor" IS NOT NULL;
-- A refund was read in the order's currency, one held for an order not seen yet stays at 2.
UPDATE "OrderRefund" SET "amountExponent" = COALESCE(
    (SELECT "amountExponent" FROM "OrderSnapshot"
      WHERE "OrderSnapshot"."shopDomain" = "OrderRefund"."shopDomain" AND "OrderSnapshot"."orderId" = "OrderRefund"."orderId"),
    2);
