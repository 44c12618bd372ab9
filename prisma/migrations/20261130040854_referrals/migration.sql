-- CreateTable
CREATE TABLE "Referral" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "referrerMemberId" INTEGER NOT NULL,
    "referredCustomerId" BIGINT NOT NULL,
    "orderId" BIGINT NOT NULL,
    "code" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "points" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Referral_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Referral_referrerMemberId_fkey" FOREIGN KEY ("referrerMemberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Referral_shopDomain_orderId_idx" ON "Referral"("shopDomain", "orderId");

-- CreateIndex
CREATE INDEX "Referral_referrerMemberId_createdAt_idx" ON "Referral"("referrerMemberId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Referral_shopDomain_referredCustomerId_key" ON "Referral"("shopDomain", "referredCustomerId");

