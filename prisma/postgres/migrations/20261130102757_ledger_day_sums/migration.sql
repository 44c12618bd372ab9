-- CreateTable
CREATE TABLE "LedgerDaySum" (
    "shopDomain" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" BIGINT NOT NULL,

    CONSTRAINT "LedgerDaySum_pkey" PRIMARY KEY ("shopDomain","day","kind")
);

-- AddForeignKey
ALTER TABLE "LedgerDaySum" ADD CONSTRAINT "LedgerDaySum_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

