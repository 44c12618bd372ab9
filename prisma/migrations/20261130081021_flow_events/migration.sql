-- CreateTable
CREATE TABLE "FlowEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopDomain" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "customerId" BIGINT NOT NULL,
    "payload" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "failedAt" DATETIME,
    CONSTRAINT "FlowEvent_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "FlowEvent_shopDomain_sentAt_failedAt_id_idx" ON "FlowEvent"("shopDomain", "sentAt", "failedAt", "id");

-- CreateIndex
CREATE INDEX "FlowEvent_shopDomain_customerId_idx" ON "FlowEvent"("shopDomain", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowEvent_shopDomain_idempotencyKey_key" ON "FlowEvent"("shopDomain", "idempotencyKey");

