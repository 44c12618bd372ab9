-- CreateTable
CREATE TABLE "FlowEvent" (
    "id" SERIAL NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "customerId" BIGINT NOT NULL,
    "payload" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "failedAt" TIMESTAMP(3),

    CONSTRAINT "FlowEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FlowEvent_shopDomain_sentAt_failedAt_id_idx" ON "FlowEvent"("shopDomain", "sentAt", "failedAt", "id");

-- CreateIndex
CREATE INDEX "FlowEvent_shopDomain_customerId_idx" ON "FlowEvent"("shopDomain", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowEvent_shopDomain_idempotencyKey_key" ON "FlowEvent"("shopDomain", "idempotencyKey");

-- AddForeignKey
ALTER TABLE "FlowEvent" ADD CONSTRAINT "FlowEvent_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

