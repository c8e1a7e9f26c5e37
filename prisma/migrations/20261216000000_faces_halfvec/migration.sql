-- Faces are stored as halfvec (IEEE binary16) instead of vector (float32).
-- Why: a 512-d face is 1 KB instead of 2 KB. Clients send float16 embeddings (the contribution wire format) and
-- index builds store float16, so float32 storage kept nothing the rest of the system uses. Measured on 2 cores
-- (docs/benchmarks.md, contribution ingest): a 100-face insert costs PostgreSQL ≈ 2.5× less CPU as halfvec. A
-- float32 contribution is rounded to the nearest half (≤ 1e-4 per component of a unit vector, and cosine distances
-- move by less than 1e-3, far below every consensus threshold).
-- Centroids (performer_consensus, contributions.centre) and negative feedback stay vector: few rows, and they are
-- computed in float32.

DROP INDEX "faces_embedding_512_hnsw";
ALTER TABLE "faces" DROP CONSTRAINT "faces_embedding_dimension_check";
ALTER TABLE "faces" ALTER COLUMN "embedding" TYPE halfvec USING "embedding"::halfvec;
-- The type change resets the column's storage to the type's default: keep it inline (see the init migration).
ALTER TABLE "faces" ALTER COLUMN "embedding" SET STORAGE PLAIN;
ALTER TABLE "faces" ADD CONSTRAINT "faces_embedding_dimension_check" CHECK (vector_dims("embedding") = "dimension");

-- The same partial HNSW index as before (init migration: only trusted faces, pgvector's default m and
-- ef_construction), now over halfvec. Queries must use the same expression and predicate:
-- ORDER BY embedding::halfvec(512) <=> $1::halfvec(512) ... WHERE dimension = 512 AND status = 'trusted'.
CREATE INDEX "faces_embedding_512_hnsw" ON "faces"
  USING hnsw (("embedding"::halfvec(512)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)
  WHERE "dimension" = 512 AND "status" = 'trusted';
