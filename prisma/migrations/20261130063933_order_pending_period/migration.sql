-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OrderSnapshot" (
    "shopDomain" TEXT NOT NULL,
    "orderId" BIGINT NOT NULL,
    "customerId" BIGINT,
    "customerUpdatedAt" DATETIME,
    "holderMemberId" INTEGER,
    "currency" TEXT,
    "paidAt" DATETIME,
    "processedAt" DATETIME,
    "shopifyCancelledAt" DATETIME,
    "cancelledAt" DATETIME,
    "taxesIncluded" BOOLEAN NOT NULL DEFAULT false,
    "versionUpdatedAt" DATETIME,
    "eligibleMinor" BIGINT,
    "amountExponent" INTEGER,
    "earnPoints" INTEGER,
    "earnPerMajorUnits" INTEGER,
    "earnMultiplierPct" INTEGER,
    "pointsCredited" BIGINT NOT NULL DEFAULT 0,
    "pendingUntil" DATETIME,
    "pendingReleased" BOOLEAN NOT NULL DEFAULT false,
    "lockVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shopDomain", "orderId"),
    CONSTRAINT "OrderSnapshot_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_OrderSnapshot" ("amountExponent", "cancelledAt", "createdAt", "currency", "customerId", "customerUpdatedAt", "earnMultiplierPct", "earnPerMajorUnits", "earnPoints", "eligibleMinor", "holderMemberId", "lockVersion", "orderId", "paidAt", "pointsCredited", "processedAt", "shopDomain", "shopifyCancelledAt", "taxesIncluded", "updatedAt", "versionUpdatedAt") SELECT "amountExponent", "cancelledAt", "createdAt", "currency", "customerId", "customerUpdatedAt", "earnMultiplierPct", "earnPerMajorUnits", "earnPoints", "eligibleMinor", "holderMemberId", "lockVersion", "orderId", "paidAt", "pointsCredited", "processedAt", "shopDomain", "shopifyCancelledAt", "taxesIncluded", "updatedAt", "versionUpdatedAt" FROM "OrderSnapshot";
DROP TABLE "OrderSnapshot";
ALTER TABLE "new_OrderSnapshot" RENAME TO "OrderSnapshot";
CREATE INDEX "OrderSnapshot_shopDomain_customerId_idx" ON "OrderSnapshot"("shopDomain", "customerId");
CREATE INDEX "OrderSnapshot_holderMemberId_idx" ON "OrderSnapshot"("holderMemberId");
CREATE INDEX "OrderSnapshot_pendingReleased_pendingUntil_idx" ON "OrderSnapshot"("pendingReleased", "pendingUntil");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

