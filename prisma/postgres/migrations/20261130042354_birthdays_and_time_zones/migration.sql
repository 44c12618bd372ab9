-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "timezone" TEXT;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "birthdaySetAt" TIMESTAMP(3);

