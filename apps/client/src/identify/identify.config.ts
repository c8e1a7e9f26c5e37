/**
 * Every number identification depends on, with where it comes from.
 * - "vision seed": ../shared/seeds (Stash Sense project status, "Confidence Interpretation"), cosine distances.
 * - "trainer seed": ../shared/seeds (trainer improvement recommendations, "What Was Fixed in stash-sense").
 * - "stash-sense": the original Python sidecar's scene matching (api/main.py hybrid_matching), which the
 *   trainer seed's fixes were made to.
 * - "fixtures": faceplugin fr_feature.onnx (the shipped embedder) on the 134 detectable fixture photos of
 *   36 people (../shared/fixtures/faces), 259 same-person and 8,652 different-person pairs, measured
 *   2026-11-25 with the client pipeline (largest face per photo):
 *     same person:      median 0.25, p95 0.50, p99 0.62
 *     different people: p0.1 0.555, p1 0.75, median 0.99, minimum 0.42
 *     distance 0.55 → FAR 0.8·10⁻³, TAR 0.973;  0.65 → FAR 2.4·10⁻³, TAR 0.996;  0.75 → FAR 10⁻², TAR 0.996
 *   bench/accuracy (docs/models.md) measures the same on a held-out split; prefer its figures when they differ.
 *
 * Confidence is 1 − cosine distance, clipped to [0, 1]: 1 for identical embeddings, 0 for orthogonal or worse.
 * It is a monotone relabelling of the distance (not a probability), so "min confidence 0.35" means
 * "distance at most 0.65".
 */
export const IDENTIFY_DEFAULTS = {
  /**
   * Confidence bands by cosine distance (vision seed): < 0.4 high, 0.4–0.6 likely, 0.6–0.8 possible, ≥ 0.8
   * unlikely. They fit the shipped model (fixtures): no different-person pair under 0.4, 0.14% under 0.6,
   * 2.6% under 0.8.
   */
  bands: { high: 0.4, likely: 0.6, possible: 0.8 },
  /**
   * Open set: a face or person whose best performer is farther than this is unknown; no candidate is forced.
   * 0.55 = the fixtures' FAR 10⁻³ threshold (TAR 0.973). Per pair: against an index of many faces a stranger
   * meets more chances, which the scene rules below (several frames, several faces) counter.
   */
  unknownDistance: 0.55,
  /**
   * Faces of one scene whose clusters are at most this far apart (average linkage) are one person. Fixtures:
   * 300 synthetic scenes of 8 frames, 4 of the 17 people with ≥ 4 photos each present in a frame with
   * probability 0.4 (so the same-frame rule cannot help), each appearance a different photo:
   *   0.55 → 0 mixed clusters, 21 of 1,200 people split;  0.60 → 0 mixed, 4 split;
   *   0.65 → 0 mixed, 0 split;  0.70 → 1 mixed;  0.75 → 2 mixed;  0.85 → 15 mixed.
   * 0.60 keeps a margin below the first mixed cluster (real catalogues have more look-alikes than the fixtures);
   * a person split in two is merged back when both halves match the same performer (scene.ts).
   */
  clusterDistance: 0.6,
  /** Candidates returned per face or person (the original sidecar's top_k default; maximum 20). */
  topK: 5,
  /** Performers fetched per face for the scene vote (more than topK, so second choices can add up). */
  performersPerFace: 10,
  /** A performer must be supported by at least this many faces of the person (trainer seed: min_appearances=2). */
  minAppearances: 2,
  /** … in at least this many distinct frames (trainer seed: min_unique_frames=2). */
  minUniqueFrames: 2,
  /**
   * A face supports a performer only with confidence ≥ this, i.e. distance ≤ 0.65 (trainer seed:
   * min_confidence=0.35). Fixtures: keeps 99.6% of same-person pairs, 0.24% of different-person ones.
   */
  minConfidence: 0.35,
  /** Score boost for the performer that wins both the frequency vote and the best distance (trainer seed: 0.15 → 0.25). */
  hybridBoost: 0.25,
  /** Score bonus per additional frame a performer is supported in (stash-sense hybrid_matching: 0.05). */
  frameBonus: 0.05,
} as const;

export type IdentifyConfig = {
  bands: { high: number; likely: number; possible: number };
  unknownDistance: number;
  clusterDistance: number;
  topK: number;
  performersPerFace: number;
  minAppearances: number;
  minUniqueFrames: number;
  minConfidence: number;
  hybridBoost: number;
  frameBonus: number;
};
