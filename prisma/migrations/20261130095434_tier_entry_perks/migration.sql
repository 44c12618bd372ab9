-- CreateTable
CREATE TABLE "TierEntryGrant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "memberId" INTEGER NOT NULL,
    "tierId" INTEGER NOT NULL,
    "periodKey" TEXT NOT NULL,
    "bonusPoints" INTEGER NOT NULL DEFAULT 0,
    "redemptionId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TierEntryGrant_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "TierEntryGrant_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tier" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "thresholdPoints" INTEGER NOT NULL,
    "multiplierPercent" INTEGER NOT NULL DEFAULT 100,
    "entryBonusPoints" INTEGER NOT NULL DEFAULT 0,
    "entryRewardId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Tier_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Tier" ("createdAt", "id", "multiplierPercent", "name", "shopDomain", "thresholdPoints", "updatedAt") SELECT "createdAt", "id", "multiplierPercent", "name", "shopDomain", "thresholdPoints", "updatedAt" FROM "Tier";
DROP TABLE "Tier";
ALTER TABLE "new_Tier" RENAME TO "Tier";
CREATE UNIQUE INDEX "Tier_shopDomain_thresholdPoints_key" ON "Tier"("shopDomain", "thresholdPoints");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "TierEntryGrant_memberId_tierId_createdAt_idx" ON "TierEntryGrant"("memberId", "tierId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "TierEntryGrant_memberId_tierId_periodKey_key" ON "TierEntryGrant"("memberId", "tierId", "periodKey");

