-- DropIndex
DROP INDEX "contributions_status_idx";

-- AlterTable
ALTER TABLE "scenes" ADD COLUMN     "performer_count" INTEGER;

-- AlterTable
ALTER TABLE "contributions" ADD COLUMN     "fingerprint_matched" BOOLEAN,
ADD COLUMN     "next_verification_at" TIMESTAMPTZ(3),
ADD COLUMN     "verification_attempts" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status_code" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stash_box_scene_cache" (
    "endpoint_id" UUID NOT NULL,
    "stash_id" TEXT NOT NULL,
    "found" BOOLEAN NOT NULL,
    "payload" JSONB NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stash_box_scene_cache_pkey" PRIMARY KEY ("endpoint_id","stash_id")
);

-- CreateTable
CREATE TABLE "negative_feedback" (
    "id" UUID NOT NULL,
    "contributor_id" UUID NOT NULL,
    "performer_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "scene_id" UUID,
    "dimension" INTEGER NOT NULL,
    "embedding" vector NOT NULL,
    "distance" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "negative_feedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_keys_user_id_key_key" ON "idempotency_keys"("user_id", "key");

-- CreateIndex
CREATE INDEX "outbox_events_dispatched_at_created_at_idx" ON "outbox_events"("dispatched_at", "created_at");

-- CreateIndex
CREATE INDEX "negative_feedback_performer_id_model_id_idx" ON "negative_feedback"("performer_id", "model_id");

-- CreateIndex
CREATE INDEX "contributions_status_next_verification_at_idx" ON "contributions"("status", "next_verification_at");

-- CreateIndex
CREATE INDEX "contributions_contributor_id_created_at_idx" ON "contributions"("contributor_id", "created_at");

-- AddForeignKey
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "negative_feedback" ADD CONSTRAINT "negative_feedback_contributor_id_fkey" FOREIGN KEY ("contributor_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "negative_feedback" ADD CONSTRAINT "negative_feedback_performer_id_fkey" FOREIGN KEY ("performer_id") REFERENCES "performers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "negative_feedback" ADD CONSTRAINT "negative_feedback_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "embedding_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "negative_feedback" ADD CONSTRAINT "negative_feedback_scene_id_fkey" FOREIGN KEY ("scene_id") REFERENCES "scenes"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Hand-written below.
ALTER TABLE "negative_feedback" ADD CONSTRAINT "negative_feedback_embedding_dimension_check" CHECK (vector_dims("embedding") = "dimension");

-- The sweeper only ever looks for undispatched events: keep that index small.
CREATE INDEX "outbox_events_undispatched_idx" ON "outbox_events" ("created_at") WHERE "dispatched_at" IS NULL;
