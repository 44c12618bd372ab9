-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "tierPending" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Member_shopDomain_tierPending_idx" ON "Member"("shopDomain", "tierPending");

-- CreateIndex
CREATE INDEX "OrderSnapshot_holderMemberId_idx" ON "OrderSnapshot"("holderMemberId");

