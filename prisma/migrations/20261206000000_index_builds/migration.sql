-- Index builds and distribution (docs/index-distribution.md): published versions, build reports, and the
-- stable id mappings of each model's index family (face ids are never reused, performer ids never change).

-- CreateEnum
CREATE TYPE "IndexVersionStatus" AS ENUM ('published', 'withdrawn');

-- CreateEnum
CREATE TYPE "IndexBuildStatus" AS ENUM ('queued', 'running', 'published', 'unchanged', 'failed');

-- CreateTable
CREATE TABLE "index_versions" (
    "version" TEXT NOT NULL,
    "model_id" UUID NOT NULL,
    "status" "IndexVersionStatus" NOT NULL DEFAULT 'published',
    "parent_version" TEXT,
    "manifest" JSONB NOT NULL,
    "jws" TEXT NOT NULL,
    "signing_kid" TEXT NOT NULL,
    "delta" JSONB,
    "performers" INTEGER NOT NULL,
    "faces" INTEGER NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "withdrawn_at" TIMESTAMPTZ(3),
    "withdrawn_reason" TEXT,
    "withdrawn_by" UUID,

    CONSTRAINT "index_versions_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "index_builds" (
    "id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "status" "IndexBuildStatus" NOT NULL DEFAULT 'queued',
    "full" BOOLEAN NOT NULL DEFAULT false,
    "version" TEXT,
    "parent_version" TEXT,
    "requested_by" UUID,
    "performers" INTEGER NOT NULL DEFAULT 0,
    "faces" INTEGER NOT NULL DEFAULT 0,
    "buckets" JSONB NOT NULL DEFAULT '{}',
    "changes" JSONB NOT NULL DEFAULT '{}',
    "duration_ms" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "heartbeat_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "index_builds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "index_face_ids" (
    "model_id" UUID NOT NULL,
    "index_face_id" INTEGER NOT NULL,
    "face_id" BIGINT NOT NULL,

    CONSTRAINT "index_face_ids_pkey" PRIMARY KEY ("model_id","index_face_id")
);

-- CreateTable
CREATE TABLE "index_performer_ids" (
    "model_id" UUID NOT NULL,
    "performer_id" UUID NOT NULL,
    "index_performer_id" INTEGER NOT NULL,

    CONSTRAINT "index_performer_ids_pkey" PRIMARY KEY ("model_id","performer_id")
);

-- CreateIndex
CREATE INDEX "index_versions_model_id_created_at_idx" ON "index_versions"("model_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "index_builds_version_key" ON "index_builds"("version");

-- CreateIndex
CREATE INDEX "index_builds_model_id_status_idx" ON "index_builds"("model_id", "status");

-- CreateIndex
CREATE INDEX "index_builds_created_at_idx" ON "index_builds"("created_at");

-- CreateIndex
CREATE INDEX "index_face_ids_model_id_face_id_idx" ON "index_face_ids"("model_id", "face_id");

-- CreateIndex
CREATE UNIQUE INDEX "index_performer_ids_model_id_index_performer_id_key" ON "index_performer_ids"("model_id", "index_performer_id");

