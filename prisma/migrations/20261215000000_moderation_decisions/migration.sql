-- Moderator decisions on contributions (docs/admin-api.md)
ALTER TABLE "contributions" ADD COLUMN "moderation" TEXT;
