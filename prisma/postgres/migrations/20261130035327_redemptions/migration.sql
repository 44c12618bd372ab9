-- AlterTable
ALTER TABLE "Reward" ADD COLUMN     "codeExpiryDays" INTEGER,
ADD COLUMN     "combinesWithOrder" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "combinesWithProduct" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "combinesWithShipping" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "maxPoints" INTEGER,
ADD COLUMN     "minPoints" INTEGER,
ADD COLUMN     "minimumSubtotalMinor" INTEGER,
ADD COLUMN     "percentage" INTEGER,
ADD COLUMN     "stepPoints" INTEGER,
ADD COLUMN     "tierId" INTEGER,
ADD COLUMN     "variantGid" TEXT;

-- CreateTable
CREATE TABLE "Redemption" (
    "id" SERIAL NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "memberId" INTEGER NOT NULL,
    "rewardId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "reward" TEXT NOT NULL,
    "pointsSpent" BIGINT NOT NULL,
    "amountMinor" BIGINT,
    "amountExponent" INTEGER NOT NULL,
    "percentage" INTEGER,
    "currency" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "code" TEXT,
    "shopifyDiscountId" TEXT,
    "storeCreditTransactionId" TEXT,
    "orderId" BIGINT,
    "expiresAt" TIMESTAMP(3),
    "pointsReturned" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "settleAfter" BIGINT,
    "attemptStartedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Redemption_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Redemption_memberId_createdAt_idx" ON "Redemption"("memberId", "createdAt");

-- CreateIndex
CREATE INDEX "Redemption_shopDomain_status_settleAfter_idx" ON "Redemption"("shopDomain", "status", "settleAfter");

-- CreateIndex
CREATE INDEX "Redemption_shopDomain_status_expiresAt_idx" ON "Redemption"("shopDomain", "status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopDomain_code_key" ON "Redemption"("shopDomain", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopDomain_storeCreditTransactionId_key" ON "Redemption"("shopDomain", "storeCreditTransactionId");

-- AddForeignKey
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

