-- CreateTable
CREATE TABLE "SetupStep" (
    "shopDomain" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "doneAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SetupStep_pkey" PRIMARY KEY ("shopDomain","step")
);

-- CreateIndex
CREATE INDEX "Member_shopDomain_createdAt_idx" ON "Member"("shopDomain", "createdAt");

-- CreateIndex
CREATE INDEX "LedgerEntry_shopDomain_createdAt_kind_delta_idx" ON "LedgerEntry"("shopDomain", "createdAt", "kind", "delta");

-- CreateIndex
CREATE INDEX "OrderSnapshot_shopDomain_paidAt_idx" ON "OrderSnapshot"("shopDomain", "paidAt");

-- CreateIndex
CREATE INDEX "Referral_shopDomain_status_createdAt_idx" ON "Referral"("shopDomain", "status", "createdAt");

-- AddForeignKey
ALTER TABLE "SetupStep" ADD CONSTRAINT "SetupStep_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

