-- CreateTable
CREATE TABLE "Redemption" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "expiresAt" DATETIME,
    "pointsReturned" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "settleAfter" BIGINT,
    "attemptStartedAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Redemption_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Redemption_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Reward" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "costPoints" INTEGER NOT NULL,
    "amountMinor" INTEGER,
    "percentage" INTEGER,
    "variantGid" TEXT,
    "minPoints" INTEGER,
    "maxPoints" INTEGER,
    "stepPoints" INTEGER,
    "minimumSubtotalMinor" INTEGER,
    "codeExpiryDays" INTEGER,
    "combinesWithOrder" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithProduct" BOOLEAN NOT NULL DEFAULT false,
    "combinesWithShipping" BOOLEAN NOT NULL DEFAULT false,
    "tierId" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Reward_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Reward" ("amountMinor", "costPoints", "createdAt", "enabled", "id", "kind", "position", "shopDomain", "title", "updatedAt") SELECT "amountMinor", "costPoints", "createdAt", "enabled", "id", "kind", "position", "shopDomain", "title", "updatedAt" FROM "Reward";
DROP TABLE "Reward";
ALTER TABLE "new_Reward" RENAME TO "Reward";
CREATE INDEX "Reward_shopDomain_position_idx" ON "Reward"("shopDomain", "position");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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

