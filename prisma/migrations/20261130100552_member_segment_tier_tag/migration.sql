-- AlterTable
ALTER TABLE "Member" ADD COLUMN "segmentTierTag" TEXT;


-- Every member is written again once: the balance, tier and pending metafields and the tier tag are new
UPDATE "Member" SET "summaryVersion" = "summaryVersion" + 1;
