-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "tierLastPlacedMs" BIGINT DEFAULT 0;


-- Members enrolled before the column may already hold orders: unknown until the tier recalculation sets it
UPDATE "Member" SET "tierLastPlacedMs" = NULL;
