-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "summarySyncedVersion" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summaryVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Member_shopDomain_summaryVersion_summarySyncedVersion_idx" ON "Member"("shopDomain", "summaryVersion", "summarySyncedVersion");

