-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Referral" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "referrerMemberId" INTEGER NOT NULL,
    "referredCustomerId" BIGINT NOT NULL,
    "orderId" BIGINT NOT NULL,
    "code" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "points" INTEGER NOT NULL DEFAULT 0,
    "pendingUntil" DATETIME,
    "pendingReleased" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Referral_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Referral_referrerMemberId_fkey" FOREIGN KEY ("referrerMemberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Referral" ("code", "createdAt", "id", "orderId", "points", "reason", "referredCustomerId", "referrerMemberId", "shopDomain", "status", "updatedAt") SELECT "code", "createdAt", "id", "orderId", "points", "reason", "referredCustomerId", "referrerMemberId", "shopDomain", "status", "updatedAt" FROM "Referral";
DROP TABLE "Referral";
ALTER TABLE "new_Referral" RENAME TO "Referral";
CREATE INDEX "Referral_pendingReleased_pendingUntil_idx" ON "Referral"("pendingReleased", "pendingUntil");
CREATE INDEX "Referral_shopDomain_orderId_idx" ON "Referral"("shopDomain", "orderId");
CREATE INDEX "Referral_shopDomain_status_createdAt_idx" ON "Referral"("shopDomain", "status", "createdAt");
CREATE INDEX "Referral_referrerMemberId_createdAt_idx" ON "Referral"("referrerMemberId", "createdAt");
CREATE UNIQUE INDEX "Referral_shopDomain_referredCustomerId_key" ON "Referral"("shopDomain", "referredCustomerId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

