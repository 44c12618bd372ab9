-- CreateTable
CREATE TABLE "FriendOffer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "referralCode" TEXT NOT NULL,
    "customerId" BIGINT,
    "code" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "shopifyDiscountId" TEXT,
    "amountMinor" BIGINT NOT NULL,
    "amountExponent" INTEGER NOT NULL,
    "currency" TEXT,
    "expiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FriendOffer_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "FriendOffer_shopDomain_referralCode_createdAt_idx" ON "FriendOffer"("shopDomain", "referralCode", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "FriendOffer_shopDomain_code_key" ON "FriendOffer"("shopDomain", "code");

-- CreateIndex
CREATE UNIQUE INDEX "FriendOffer_shopDomain_customerId_key" ON "FriendOffer"("shopDomain", "customerId");

