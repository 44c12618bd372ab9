-- CreateTable
CREATE TABLE "ProgramVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "program" TEXT NOT NULL,
    "earnPoints" INTEGER NOT NULL,
    "earnPerMajorUnits" INTEGER NOT NULL,
    "effectiveAtMs" BIGINT NOT NULL,
    "change" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProgramVersion_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "domain" TEXT NOT NULL PRIMARY KEY,
    "currency" TEXT,
    "program" TEXT NOT NULL,
    "programVersion" INTEGER NOT NULL DEFAULT 1,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "shopifyGid" TEXT,
    "timezone" TEXT,
    "programPublishedHash" TEXT,
    "syncBlockedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("createdAt", "currency", "domain", "installedAt", "program", "programPublishedHash", "shopifyGid", "syncBlockedAt", "timezone", "uninstalledAt", "updatedAt") SELECT "createdAt", "currency", "domain", "installedAt", "program", "programPublishedHash", "shopifyGid", "syncBlockedAt", "timezone", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ProgramVersion_shopDomain_effectiveAtMs_idx" ON "ProgramVersion"("shopDomain", "effectiveAtMs");

-- CreateIndex
CREATE UNIQUE INDEX "ProgramVersion_shopDomain_version_key" ON "ProgramVersion"("shopDomain", "version");

