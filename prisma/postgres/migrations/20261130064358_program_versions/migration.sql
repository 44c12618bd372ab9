-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "programVersion" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "ProgramVersion" (
    "id" SERIAL NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "program" TEXT NOT NULL,
    "earnPoints" INTEGER NOT NULL,
    "earnPerMajorUnits" INTEGER NOT NULL,
    "effectiveAtMs" BIGINT NOT NULL,
    "change" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProgramVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ProgramVersion_shopDomain_effectiveAtMs_idx" ON "ProgramVersion"("shopDomain", "effectiveAtMs");

-- CreateIndex
CREATE UNIQUE INDEX "ProgramVersion_shopDomain_version_key" ON "ProgramVersion"("shopDomain", "version");

-- AddForeignKey
ALTER TABLE "ProgramVersion" ADD CONSTRAINT "ProgramVersion_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

