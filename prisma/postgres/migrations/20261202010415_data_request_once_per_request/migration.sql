-- Deliveries of one data request stored before this index keep their first export.
DELETE FROM "DataRequest" WHERE "requestId" IS NOT NULL AND "id" NOT IN (
  SELECT MIN("id") FROM "DataRequest" WHERE "requestId" IS NOT NULL GROUP BY "shopDomain", "requestId"
);

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_shopDomain_requestId_key" ON "DataRequest"("shopDomain", "requestId");

