-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "syncBlockedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "summaryGaveUpVersion" INTEGER,
ADD COLUMN     "summaryRetryAt" BIGINT,
ADD COLUMN     "summarySyncAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summarySyncError" TEXT;

-- CreateTable
CREATE TABLE "Job" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "shopDomain" TEXT,
    "everyMs" BIGINT,
    "runAt" BIGINT NOT NULL,
    "requestVersion" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" BIGINT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "Job_runAt_idx" ON "Job"("runAt");

