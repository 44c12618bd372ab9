-- AlterTable
ALTER TABLE "OrderSnapshot" ADD COLUMN "processedAt" DATETIME;
ALTER TABLE "OrderSnapshot" ADD COLUMN "shopifyCancelledAt" DATETIME;

-- AlterTable
ALTER TABLE "OrderRefund" ADD COLUMN "refundedAt" DATETIME;

