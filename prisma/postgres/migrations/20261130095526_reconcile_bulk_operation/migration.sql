-- AlterTable
ALTER TABLE "ReconcileRun" ADD COLUMN     "bulkOperationId" TEXT;

