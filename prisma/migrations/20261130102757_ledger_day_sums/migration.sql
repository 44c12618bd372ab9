-- CreateTable
CREATE TABLE "LedgerDaySum" (
    "shopDomain" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" BIGINT NOT NULL,

    PRIMARY KEY ("shopDomain", "day", "kind"),
    CONSTRAINT "LedgerDaySum_shopDomain_fkey" FOREIGN KEY ("shopDomain") REFERENCES "Shop" ("domain") ON DELETE CASCADE ON UPDATE CASCADE
);

