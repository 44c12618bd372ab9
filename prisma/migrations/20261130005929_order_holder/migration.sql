-- AlterTable
ALTER TABLE "OrderSnapshot" ADD COLUMN "customerUpdatedAt" DATETIME;
ALTER TABLE "OrderSnapshot" ADD COLUMN "holderMemberId" INTEGER;


-- Backfill: until now an order's customer was the first one named and held its points.
UPDATE "OrderSnapshot" SET "customerUpdatedAt" = "versionUpdatedAt" WHERE "customerId" IS NOT NULL;
UPDATE "OrderSnapshot" SET "holderMemberId" = (
    SELECT "id" FROM "Member"
     WHERE "Member"."shopDomain" = "OrderSnapshot"."shopDomain" AND "Member"."customerId" = "OrderSnapshot"."customerId")
  WHERE "customerId" IS NOT NULL;
