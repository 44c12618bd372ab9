-- CreateTable
CREATE TABLE "MemberImport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "layout" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "totalRows" INTEGER NOT NULL,
    "processedRows" INTEGER NOT NULL DEFAULT 0,
    "importedRows" INTEGER NOT NULL DEFAULT 0,
    "pointsImported" BIGINT NOT NULL DEFAULT 0,
    "skippedRows" INTEGER NOT NULL DEFAULT 0,
    "errorRows" INTEGER NOT NULL DEFAULT 0,
    "errors" TEXT NOT NULL DEFAULT '[]',
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    CONSTRAINT "MemberImport_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);

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
    "emailKey" TEXT,
    "firstNameKey" TEXT,
    "lastNameKey" TEXT,
    "lastActivityMs" BIGINT NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Member_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Member" ("balance", "birthday", "birthdaySetAt", "createdAt", "customerId", "email", "firstName", "id", "lastName", "lifetimeEarned", "pendingBalance", "referralCode", "referredByMemberId", "shopDomain", "summaryGaveUpVersion", "summaryRetryAt", "summarySyncAttempts", "summarySyncError", "summarySyncedVersion", "summaryVersion", "tierActivity", "tierId", "tierPending", "updatedAt") SELECT "balance", "birthday", "birthdaySetAt", "createdAt", "customerId", "email", "firstName", "id", "lastName", "lifetimeEarned", "pendingBalance", "referralCode", "referredByMemberId", "shopDomain", "summaryGaveUpVersion", "summaryRetryAt", "summarySyncAttempts", "summarySyncError", "summarySyncedVersion", "summaryVersion", "tierActivity", "tierId", "tierPending", "updatedAt" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
CREATE INDEX "Member_shopDomain_createdAt_idx" ON "Member"("shopDomain", "createdAt");
CREATE INDEX "Member_shopDomain_summaryVersion_summarySyncedVersion_idx" ON "Member"("shopDomain", "summaryVersion", "summarySyncedVersion");
CREATE INDEX "Member_shopDomain_tierPending_idx" ON "Member"("shopDomain", "tierPending");
CREATE INDEX "Member_shopDomain_balance_id_idx" ON "Member"("shopDomain", "balance", "id");
CREATE INDEX "Member_shopDomain_lastActivityMs_id_idx" ON "Member"("shopDomain", "lastActivityMs", "id");
CREATE INDEX "Member_shopDomain_tierId_balance_id_idx" ON "Member"("shopDomain", "tierId", "balance", "id");
CREATE INDEX "Member_shopDomain_tierId_lastActivityMs_id_idx" ON "Member"("shopDomain", "tierId", "lastActivityMs", "id");
CREATE INDEX "Member_shopDomain_emailKey_idx" ON "Member"("shopDomain", "emailKey");
CREATE INDEX "Member_shopDomain_firstNameKey_lastNameKey_idx" ON "Member"("shopDomain", "firstNameKey", "lastNameKey");
CREATE INDEX "Member_shopDomain_lastNameKey_idx" ON "Member"("shopDomain", "lastNameKey");
CREATE UNIQUE INDEX "Member_shopDomain_customerId_key" ON "Member"("shopDomain", "customerId");
CREATE UNIQUE INDEX "Member_shopDomain_referralCode_key" ON "Member"("shopDomain", "referralCode");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "MemberImport_shopDomain_createdAt_idx" ON "MemberImport"("shopDomain", "createdAt");


-- Backfill (data, not schema): last activity from the newest ledger row of each member (else
-- enrolment), and the search keys. lower() in SQL stands in for searchKey() here, and members
-- written from now on get the exact folding of searchKey() (app/loyalty/member-search.ts).
UPDATE "Member" SET "lastActivityMs" = CAST((julianday(COALESCE((SELECT MAX("createdAt") FROM "LedgerEntry" WHERE "LedgerEntry"."memberId" = "Member"."id"), "createdAt")) - 2440587.5) * 86400000 AS INTEGER);
UPDATE "Member" SET "emailKey" = lower(trim("email")), "firstNameKey" = lower(trim("firstName")), "lastNameKey" = lower(trim("lastName"));
