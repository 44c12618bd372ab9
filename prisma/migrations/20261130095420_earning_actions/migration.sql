-- CreateTable
CREATE TABLE "EarningAction" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "points" INTEGER NOT NULL,
    "requiresApproval" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "EarningAction_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ActionClaim" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "actionId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "decidedAt" DATETIME,
    "decidedBy" TEXT,
    "points" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ActionClaim_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ActionClaim_actionId_fkey" FOREIGN KEY ("actionId") REFERENCES "EarningAction" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ActionClaim_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "EarningAction_shopDomain_id_idx" ON "EarningAction"("shopDomain", "id");

-- CreateIndex
CREATE INDEX "ActionClaim_shopDomain_status_id_idx" ON "ActionClaim"("shopDomain", "status", "id");

-- CreateIndex
CREATE INDEX "ActionClaim_actionId_idx" ON "ActionClaim"("actionId");

-- CreateIndex
CREATE UNIQUE INDEX "ActionClaim_memberId_actionId_key" ON "ActionClaim"("memberId", "actionId");

