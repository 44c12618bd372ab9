-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "tierActivity" BIGINT NOT NULL DEFAULT 0;

