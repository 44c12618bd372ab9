-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "programPublishedHash" TEXT,
ADD COLUMN     "shopifyGid" TEXT;

