-- AlterTable
ALTER TABLE "OrderSnapshot" ADD COLUMN     "processedAt" TIMESTAMP(3),
ADD COLUMN     "shopifyCancelledAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "OrderRefund" ADD COLUMN     "refundedAt" TIMESTAMP(3);

