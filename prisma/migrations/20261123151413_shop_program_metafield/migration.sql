-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "programPublishedHash" TEXT;
ALTER TABLE "Shop" ADD COLUMN "shopifyGid" TEXT;

