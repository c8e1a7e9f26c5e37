-- AlterTable
ALTER TABLE "users" ADD COLUMN     "disagreed_faces" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "moderator_approved" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "moderator_rejected" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reputation_flagged" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "reputation_reason" TEXT,
ADD COLUMN     "trusted_faces" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "contributions" ADD COLUMN     "centre" vector;

-- AlterTable
ALTER TABLE "faces" ADD COLUMN     "consensus_distance" DOUBLE PRECISION,
ADD COLUMN     "decision_code" TEXT;

-- CreateTable
CREATE TABLE "performer_consensus" (
    "performer_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "centroid" vector,
    "medoids" JSONB NOT NULL DEFAULT '[]',
    "trusted_faces" INTEGER NOT NULL,
    "contributors_agreeing" INTEGER NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "performer_consensus_pkey" PRIMARY KEY ("performer_id","model_id")
);

-- CreateTable
CREATE TABLE "moderation_items" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "blocking" BOOLEAN NOT NULL,
    "model_id" UUID NOT NULL,
    "performer_ids" UUID[],
    "contribution_ids" UUID[],
    "contributor_ids" UUID[],
    "scene_ids" UUID[],
    "summary" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_by" UUID,
    "resolved_at" TIMESTAMPTZ(3),
    "resolution" TEXT,

    CONSTRAINT "moderation_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identity_link_suggestions" (
    "id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "performer_a" UUID NOT NULL,
    "performer_b" UUID NOT NULL,
    "distance" DOUBLE PRECISION NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_link_suggestions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "moderation_items_key_key" ON "moderation_items"("key");

-- CreateIndex
CREATE INDEX "moderation_items_status_created_at_idx" ON "moderation_items"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "identity_link_suggestions_performer_a_performer_b_model_id_key" ON "identity_link_suggestions"("performer_a", "performer_b", "model_id");

-- Hand-written below.
ALTER TABLE "performer_consensus" ADD CONSTRAINT "performer_consensus_centroid_dimension_check"
  CHECK ("centroid" IS NULL OR vector_dims("centroid") = "dimension");
ALTER TABLE "performer_consensus" ADD CONSTRAINT "performer_consensus_performer_fkey"
  FOREIGN KEY ("performer_id") REFERENCES "performers"("id") ON DELETE CASCADE;
ALTER TABLE "performer_consensus" ADD CONSTRAINT "performer_consensus_model_fkey"
  FOREIGN KEY ("model_id") REFERENCES "embedding_models"("id");
ALTER TABLE "identity_link_suggestions" ADD CONSTRAINT "identity_link_suggestions_ordered_check" CHECK ("performer_a" < "performer_b");
