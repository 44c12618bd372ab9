-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Member" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "customerId" BIGINT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "balance" BIGINT NOT NULL DEFAULT 0,
    "pendingBalance" BIGINT NOT NULL DEFAULT 0,
    "lifetimeEarned" BIGINT NOT NULL DEFAULT 0,
    "tierId" INTEGER,
    "tierActivity" BIGINT NOT NULL DEFAULT 0,
    "tierPending" BOOLEAN NOT NULL DEFAULT false,
    "referralCode" TEXT NOT NULL,
    "referredByMemberId" INTEGER,
    "birthday" TEXT,
    "birthdaySetAt" DATETIME,
    "summaryVersion" INTEGER NOT NULL DEFAULT 0,
    "summarySyncedVersion" INTEGER NOT NULL DEFAULT 0,
    "summarySyncAttempts" INTEGER NOT NULL DEFAULT 0,
    "summaryRetryAt" BIGINT,
    "summarySyncError" TEXT,
    "summaryGaveUpVersion" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Member_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Member" ("balance", "birthday", "birthdaySetAt", "createdAt", "customerId", "email", "firstName", "id", "lastName", "lifetimeEarned", "pendingBalance", "referralCode", "referredByMemberId", "shopDomain", "summaryGaveUpVersion", "summaryRetryAt", "summarySyncAttempts", "summarySyncError", "summarySyncedVersion", "summaryVersion", "tierId", "tierPending", "updatedAt") SELECT "balance", "birthday", "birthdaySetAt", "createdAt", "customerId", "email", "firstName", "id", "lastName", "lifetimeEarned", "pendingBalance", "referralCode", "referredByMemberId", "shopDomain", "summaryGaveUpVersion", "summaryRetryAt", "summarySyncAttempts", "summarySyncError", "summarySyncedVersion", "summaryVersion", "tierId", "tierPending", "updatedAt" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
CREATE INDEX "Member_shopDomain_summaryVersion_summarySyncedVersion_idx" ON "Member"("shopDomain", "summaryVersion", "summarySyncedVersion");
CREATE INDEX "Member_shopDomain_tierPending_idx" ON "Member"("shopDomain", "tierPending");
CREATE UNIQUE INDEX "Member_shopDomain_customerId_key" ON "Member"("shopDomain", "customerId");
CREATE UNIQUE INDEX "Member_shopDomain_referralCode_key" ON "Member"("shopDomain", "referralCode");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

