-- AlterTable
ALTER TABLE "Tier" ADD COLUMN     "entryBonusPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "entryRewardId" INTEGER;

-- CreateTable
CREATE TABLE "TierEntryGrant" (
    "id" SERIAL NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "memberId" INTEGER NOT NULL,
    "tierId" INTEGER NOT NULL,
    "periodKey" TEXT NOT NULL,
    "bonusPoints" INTEGER NOT NULL DEFAULT 0,
    "redemptionId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TierEntryGrant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TierEntryGrant_memberId_tierId_createdAt_idx" ON "TierEntryGrant"("memberId", "tierId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "TierEntryGrant_memberId_tierId_periodKey_key" ON "TierEntryGrant"("memberId", "tierId", "periodKey");

-- AddForeignKey
ALTER TABLE "TierEntryGrant" ADD CONSTRAINT "TierEntryGrant_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TierEntryGrant" ADD CONSTRAINT "TierEntryGrant_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

