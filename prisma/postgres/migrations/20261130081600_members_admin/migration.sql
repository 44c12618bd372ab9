-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "emailKey" TEXT,
ADD COLUMN     "firstNameKey" TEXT,
ADD COLUMN     "lastActivityMs" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "lastNameKey" TEXT;

-- CreateTable
CREATE TABLE "MemberImport" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "MemberImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MemberImport_shopDomain_createdAt_idx" ON "MemberImport"("shopDomain", "createdAt");

-- CreateIndex
CREATE INDEX "Member_shopDomain_balance_id_idx" ON "Member"("shopDomain", "balance", "id");

-- CreateIndex
CREATE INDEX "Member_shopDomain_lastActivityMs_id_idx" ON "Member"("shopDomain", "lastActivityMs", "id");

-- CreateIndex
CREATE INDEX "Member_shopDomain_tierId_balance_id_idx" ON "Member"("shopDomain", "tierId", "balance", "id");

-- CreateIndex
CREATE INDEX "Member_shopDomain_tierId_lastActivityMs_id_idx" ON "Member"("shopDomain", "tierId", "lastActivityMs", "id");

-- CreateIndex
CREATE INDEX "Member_shopDomain_emailKey_idx" ON "Member"("shopDomain", "emailKey");

-- CreateIndex
CREATE INDEX "Member_shopDomain_firstNameKey_lastNameKey_idx" ON "Member"("shopDomain", "firstNameKey", "lastNameKey");

-- CreateIndex
CREATE INDEX "Member_shopDomain_lastNameKey_idx" ON "Member"("shopDomain", "lastNameKey");

-- AddForeignKey
ALTER TABLE "MemberImport" ADD CONSTRAINT "MemberImport_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;


-- Backfill (data, not schema): last activity from the newest ledger row of each member (else
-- enrolment), and the search keys. lower() in SQL stands in for searchKey() here, and members
-- written from now on get the exact folding of searchKey() (app/loyalty/member-search.ts).
UPDATE "Member" SET "lastActivityMs" = (EXTRACT(EPOCH FROM COALESCE((SELECT MAX("createdAt") FROM "LedgerEntry" WHERE "LedgerEntry"."memberId" = "Member"."id"), "createdAt")) * 1000)::BIGINT;
UPDATE "Member" SET "emailKey" = lower(trim("email")), "firstNameKey" = lower(trim("firstName")), "lastNameKey" = lower(trim("lastName"));
