-- AlterTable
ALTER TABLE "ProgramVersion" ADD COLUMN "tiers" TEXT;

