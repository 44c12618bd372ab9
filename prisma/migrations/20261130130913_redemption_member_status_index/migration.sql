-- CreateIndex
CREATE INDEX "Redemption_memberId_status_id_idx" ON "Redemption"("memberId", "status", "id");

