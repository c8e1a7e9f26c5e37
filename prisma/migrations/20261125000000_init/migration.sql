-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "vector";

-- CreateEnum
CREATE TYPE "UserRole" AS ENUM ('contributor', 'moderator', 'admin');

-- CreateEnum
CREATE TYPE "UserStatus" AS ENUM ('active', 'suspended', 'banned');

-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('contribute', 'read', 'moderate');

-- CreateEnum
CREATE TYPE "FingerprintAlgorithm" AS ENUM ('PHASH', 'OSHASH', 'MD5');

-- CreateEnum
CREATE TYPE "VectorMetric" AS ENUM ('cosine');

-- CreateEnum
CREATE TYPE "ContributionStatus" AS ENUM ('pending_verification', 'unverified', 'verified', 'accepted', 'rejected', 'withdrawn');

-- CreateEnum
CREATE TYPE "FaceStatus" AS ENUM ('pending', 'trusted', 'rejected');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "display_name" TEXT,
    "role" "UserRole" NOT NULL DEFAULT 'contributor',
    "status" "UserStatus" NOT NULL DEFAULT 'active',
    "reputation" DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "status_changed_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "scopes" "ApiKeyScope"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stash_box_endpoints" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "graphql_url" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stash_box_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "performers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "disambiguation" TEXT,
    "stashdb_id" TEXT,
    "primary_source" TEXT NOT NULL,
    "external_urls" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "performers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "performer_stash_ids" (
    "id" UUID NOT NULL,
    "performer_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "stash_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "performer_stash_ids_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scenes" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "stash_id" TEXT NOT NULL,
    "title" TEXT,
    "duration_sec" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scene_fingerprints" (
    "id" UUID NOT NULL,
    "scene_id" UUID NOT NULL,
    "algorithm" "FingerprintAlgorithm" NOT NULL,
    "hash" TEXT NOT NULL,
    "duration_sec" DOUBLE PRECISION,

    CONSTRAINT "scene_fingerprints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "embedding_models" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "metric" "VectorMetric" NOT NULL DEFAULT 'cosine',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embedding_models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contributions" (
    "id" UUID NOT NULL,
    "contributor_id" UUID NOT NULL,
    "scene_id" UUID NOT NULL,
    "performer_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "status" "ContributionStatus" NOT NULL DEFAULT 'pending_verification',
    "status_reason" TEXT,
    "client_name" TEXT NOT NULL,
    "client_version" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contributions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "face_tracks" (
    "id" UUID NOT NULL,
    "contribution_id" UUID NOT NULL,
    "track_key" TEXT NOT NULL,
    "points" JSONB NOT NULL,

    CONSTRAINT "face_tracks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "faces" (
    "id" BIGSERIAL NOT NULL,
    "contribution_id" UUID NOT NULL,
    "performer_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "dimension" INTEGER NOT NULL,
    "embedding" vector NOT NULL,
    "detector_score" DOUBLE PRECISION NOT NULL,
    "size_px" INTEGER NOT NULL,
    "quality" DOUBLE PRECISION NOT NULL,
    "timestamp_sec" DOUBLE PRECISION NOT NULL,
    "track_key" TEXT,
    "status" "FaceStatus" NOT NULL DEFAULT 'pending',
    "status_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "faces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "ip" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_user_id_idx" ON "api_keys"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "refresh_tokens_user_id_idx" ON "refresh_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "stash_box_endpoints_key_key" ON "stash_box_endpoints"("key");

-- CreateIndex
CREATE UNIQUE INDEX "stash_box_endpoints_graphql_url_key" ON "stash_box_endpoints"("graphql_url");

-- CreateIndex
CREATE UNIQUE INDEX "performers_stashdb_id_key" ON "performers"("stashdb_id");

-- CreateIndex
CREATE INDEX "performer_stash_ids_performer_id_idx" ON "performer_stash_ids"("performer_id");

-- CreateIndex
CREATE UNIQUE INDEX "performer_stash_ids_endpoint_id_stash_id_key" ON "performer_stash_ids"("endpoint_id", "stash_id");

-- CreateIndex
CREATE UNIQUE INDEX "scenes_endpoint_id_stash_id_key" ON "scenes"("endpoint_id", "stash_id");

-- CreateIndex
CREATE INDEX "scene_fingerprints_algorithm_hash_idx" ON "scene_fingerprints"("algorithm", "hash");

-- CreateIndex
CREATE UNIQUE INDEX "scene_fingerprints_scene_id_algorithm_hash_key" ON "scene_fingerprints"("scene_id", "algorithm", "hash");

-- CreateIndex
CREATE UNIQUE INDEX "embedding_models_name_version_key" ON "embedding_models"("name", "version");

-- CreateIndex
CREATE INDEX "contributions_performer_id_model_id_idx" ON "contributions"("performer_id", "model_id");

-- CreateIndex
CREATE INDEX "contributions_status_idx" ON "contributions"("status");

-- CreateIndex
CREATE UNIQUE INDEX "contributions_contributor_id_scene_id_performer_id_model_id_key" ON "contributions"("contributor_id", "scene_id", "performer_id", "model_id");

-- CreateIndex
CREATE UNIQUE INDEX "face_tracks_contribution_id_track_key_key" ON "face_tracks"("contribution_id", "track_key");

-- CreateIndex
CREATE INDEX "faces_contribution_id_idx" ON "faces"("contribution_id");

-- CreateIndex
CREATE INDEX "faces_performer_id_model_id_status_idx" ON "faces"("performer_id", "model_id", "status");

-- CreateIndex
CREATE INDEX "audit_log_created_at_idx" ON "audit_log"("created_at");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_created_at_idx" ON "audit_log"("actor_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_log_target_type_target_id_idx" ON "audit_log"("target_type", "target_id");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "performer_stash_ids" ADD CONSTRAINT "performer_stash_ids_performer_id_fkey" FOREIGN KEY ("performer_id") REFERENCES "performers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "performer_stash_ids" ADD CONSTRAINT "performer_stash_ids_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "stash_box_endpoints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scenes" ADD CONSTRAINT "scenes_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "stash_box_endpoints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scene_fingerprints" ADD CONSTRAINT "scene_fingerprints_scene_id_fkey" FOREIGN KEY ("scene_id") REFERENCES "scenes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contributions" ADD CONSTRAINT "contributions_contributor_id_fkey" FOREIGN KEY ("contributor_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contributions" ADD CONSTRAINT "contributions_scene_id_fkey" FOREIGN KEY ("scene_id") REFERENCES "scenes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contributions" ADD CONSTRAINT "contributions_performer_id_fkey" FOREIGN KEY ("performer_id") REFERENCES "performers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contributions" ADD CONSTRAINT "contributions_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "embedding_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "face_tracks" ADD CONSTRAINT "face_tracks_contribution_id_fkey" FOREIGN KEY ("contribution_id") REFERENCES "contributions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "faces" ADD CONSTRAINT "faces_contribution_id_fkey" FOREIGN KEY ("contribution_id") REFERENCES "contributions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "faces" ADD CONSTRAINT "faces_performer_id_fkey" FOREIGN KEY ("performer_id") REFERENCES "performers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "faces" ADD CONSTRAINT "faces_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "embedding_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Hand-written below (Prisma cannot express these).

-- The dimension column must describe the stored vector: it selects the partial HNSW index.
ALTER TABLE "faces" ADD CONSTRAINT "faces_embedding_dimension_check" CHECK (vector_dims("embedding") = "dimension");

-- A 512-d vector is 2 KB: kept inline (PLAIN) rather than in the TOAST table, so consensus scans read
-- one heap page per few faces and inserts skip the TOAST write (≈20% faster inserts, measured here).
ALTER TABLE "faces" ALTER COLUMN "embedding" SET STORAGE PLAIN;

-- HNSW cosine index for 512-d embeddings (the faceplugin fr_feature embedder, docs/models.md).
-- HNSW needs a fixed dimension, so each dimension gets a partial expression index, and queries must use
-- the same expression and predicate: ORDER BY embedding::vector(512) <=> $1 ... WHERE dimension = 512
-- AND status = 'trusted'. Only trusted faces are indexed: they are what nearest-neighbour queries
-- (consensus, moderation) search, and an HNSW insert costs ≈ 6 ms per 512-d vector on 2 cores
-- (measured, docs/benchmarks.md), which would cap ingest near 170 faces/s if every pending face paid it.
-- m=16, ef_construction=64 are pgvector's defaults, measured here in RECIPES.md (20k × 512 in 14 s).
CREATE INDEX "faces_embedding_512_hnsw" ON "faces"
  USING hnsw (("embedding"::vector(512)) vector_cosine_ops) WITH (m = 16, ef_construction = 64)
  WHERE "dimension" = 512 AND "status" = 'trusted';
