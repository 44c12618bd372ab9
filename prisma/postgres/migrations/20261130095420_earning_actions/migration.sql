-- CreateTable
CREATE TABLE "EarningAction" (
    "id" SERIAL NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "points" INTEGER NOT NULL,
    "requiresApproval" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EarningAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ActionClaim" (
    "id" SERIAL NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "actionId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "points" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ActionClaim_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EarningAction_shopDomain_id_idx" ON "EarningAction"("shopDomain", "id");

-- CreateIndex
CREATE INDEX "ActionClaim_shopDomain_status_id_idx" ON "ActionClaim"("shopDomain", "status", "id");

-- CreateIndex
CREATE INDEX "ActionClaim_actionId_idx" ON "ActionClaim"("actionId");

-- CreateIndex
CREATE UNIQUE INDEX "ActionClaim_memberId_actionId_key" ON "ActionClaim"("memberId", "actionId");

-- AddForeignKey
ALTER TABLE "EarningAction" ADD CONSTRAINT "EarningAction_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActionClaim" ADD CONSTRAINT "ActionClaim_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActionClaim" ADD CONSTRAINT "ActionClaim_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "EarningAction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActionClaim" ADD CONSTRAINT "ActionClaim_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

