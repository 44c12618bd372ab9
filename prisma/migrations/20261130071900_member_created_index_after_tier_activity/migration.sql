-- 20261130064944_admin_home (branch admin-shell) indexes Member by (shopDomain, createdAt), and
-- 20261130065022_member_tier_activity (main) rebuilds the Member table on SQLite, which drops
-- that index when both histories are applied in timestamp order. PostgreSQL alters the table
-- in place and keeps it.
CREATE INDEX IF NOT EXISTS "Member_shopDomain_createdAt_idx" ON "Member"("shopDomain", "createdAt");
