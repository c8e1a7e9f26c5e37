-- Reference data every deployment starts with. Operators add or disable endpoints and models later
-- (rows, not code), so these inserts never overwrite an existing row.

-- The public stash-boxes (GraphQL URLs as Stash stores them in stash_ids.endpoint).
INSERT INTO "stash_box_endpoints" ("id", "key", "name", "graphql_url") VALUES
  (gen_random_uuid(), 'stashdb', 'StashDB', 'https://stashdb.org/graphql'),
  (gen_random_uuid(), 'tpdb', 'ThePornDB', 'https://theporndb.net/graphql'),
  (gen_random_uuid(), 'fansdb', 'FansDB', 'https://fansdb.cc/graphql'),
  (gen_random_uuid(), 'javstash', 'JAVStash', 'https://javstash.org/graphql'),
  (gen_random_uuid(), 'pmvstash', 'PMVStash', 'https://pmvstash.org/graphql')
ON CONFLICT DO NOTHING;

-- The embedder the client ships (docs/models.md): 512-d, cosine, served by faces_embedding_512_hnsw.
INSERT INTO "embedding_models" ("id", "name", "version", "dimension", "metric") VALUES
  (gen_random_uuid(), 'faceplugin-fr-feature', '0.0.1', 512, 'cosine')
ON CONFLICT DO NOTHING;
