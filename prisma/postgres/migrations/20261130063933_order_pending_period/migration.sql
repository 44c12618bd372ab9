-- AlterTable
ALTER TABLE "OrderSnapshot" ADD COLUMN     "pendingReleased" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "pendingUntil" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "OrderSnapshot_pendingReleased_pendingUntil_idx" ON "OrderSnapshot"("pendingReleased", "pendingUntil");

