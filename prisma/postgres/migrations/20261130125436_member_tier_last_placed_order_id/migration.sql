-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "tierLastPlacedOrderId" BIGINT DEFAULT 0;


-- Members enrolled before the column whose counted orders are known by time only: an order of that instant counts as earlier until the tier recalculation sets the id
UPDATE "Member" SET "tierLastPlacedOrderId" = NULL WHERE "tierLastPlacedMs" IS NULL OR "tierLastPlacedMs" <> 0;
