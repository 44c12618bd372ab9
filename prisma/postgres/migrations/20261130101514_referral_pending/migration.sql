-- AlterTable
ALTER TABLE "Referral" ADD COLUMN     "pendingReleased" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "pendingUntil" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Referral_pendingReleased_pendingUntil_idx" ON "Referral"("pendingReleased", "pendingUntil");

