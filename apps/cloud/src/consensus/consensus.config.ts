/**
 * Every threshold the consensus rules use, in one place, each with where its number comes from.
 *
 * Sources:
 * - "seed" — /work/shared/seeds (the stash-sense trainer findings: min_unique_frames=2, min_appearances=2).
 * - "issue" — the "Consensus workers" issue (K = 3 distinct contributors, faces of at least 40 px).
 * - "RECIPES" — ../shared/RECIPES.md (faceplugin detector score threshold 0.65).
 * - "bench/accuracy" — docs/models.md, "Accuracy on the fixtures" (`bench/accuracy/main.ts`): pair distance at
 *   FAR 1e-3 = 0.514 on the default split (0.477 with --unknown-every 4); fixture-sized, so optimistic.
 * - "calibration" — `bench/poisoning/calibrate.ts` on all 134 fixture photos of 36 people with the shipped embedder
 *   (bench/poisoning/calibration.json, figures repeated in docs/consensus.md): pair distance at FAR 1e-3 = 0.555;
 *   a face to the centroid of its own person's other photos ≤ 0.478 (p99 0.463), to another person's centroid ≥ 0.480
 *   (p1 0.756); centroids of two halves of one person's photos 0.055–0.192 apart, of two people ≥ 0.677 (p1 0.778).
 * - "design" — a choice of the consensus design (docs/consensus.md explains it); tested by bench/poisoning.
 * All distances are cosine distances (1 − cos θ) between unit vectors.
 */
export const CONSENSUS_DEFAULTS = {
  quality: {
    /** Lowest detector confidence (RECIPES: faceplugin detector score ≥ 0.65 worked; the client drops the rest too). */
    minDetectorScore: 0.65,
    /** Shorter side of the face box in frame pixels (issue: ≥ 40 px; the client pipeline uses the same minimum). */
    minSizePx: 40,
    /**
     * Lowest client quality score (sharpness × pose, apps/client/src/pipeline/defaults.ts): 0.30 is a crop blurred by
     * σ = 3 px, whose embedding already sits 0.21 from the sharp face's — below it the blur, not the face, dominates.
     */
    minQuality: 0.3,
    /** Distinct frames (timestamps) a contribution needs after filtering (seed: min_unique_frames=2). */
    minUniqueFrames: 2,
    /** Faces a contribution needs after filtering (seed: min_appearances=2). */
    minAppearances: 2,
    /** Timestamps closer than this count as one frame (one decoded frame can hold several detections). */
    sameFrameSec: 0.001,
  },
  coherence: {
    /**
     * Two faces count as neighbours when closer than this (bench/accuracy: pair distance at FAR 1e-3 = 0.514): the
     * densest face of a contribution seeds its main cluster.
     */
    neighbourDistance: 0.514,
    /**
     * A face further than this from its contribution's cluster centre is an outlier (calibration: a face lies ≤ 0.478
     * from its own person's centroid, p99 0.463, and ≥ 0.480 from another person's, p1 0.756).
     */
    outlierDistance: 0.5,
    /**
     * The main cluster must hold at least this share of a contribution's usable faces, otherwise the contribution
     * mixes identities (bad clustering) and is rejected whole (design: a clear majority).
     */
    minMainClusterShare: 0.6,
    /** Faces tried as cluster seeds per contribution, spread evenly in id order: bounds the cost at O(64·n) (design). */
    maxSeedCandidates: 64,
  },
  agreement: {
    /** K: weighted distinct contributors a performer's trusted set needs (issue: default 3). */
    minWeight: 3,
    /** Distinct accounts with weight > 0 behind a consensus, whatever their weights: one account never suffices (design). */
    minDistinctContributors: 2,
    /**
     * A contribution agrees with a consensus (or with another contribution) when its centre lies this close
     * (calibration: same-person centroids ≤ 0.192 apart and a single photo ≤ 0.478 from its person's centroid, p99 0.463;
     * different people's centroids ≥ 0.677, p1 0.778, a photo ≥ 0.480 from another person's centroid, p1 0.756).
     */
    agreeDistance: 0.45,
    /**
     * An individual face of an agreeing contribution is trusted when this close to the consensus centroid or to one of
     * its medoids (bench/accuracy: pair distance at FAR 1e-3 = 0.514; calibration gives 0.555 for pairs and 0.622 face to
     * centroid: the strictest of the three).
     */
    faceTrustDistance: 0.514,
    /**
     * A cluster agrees with the reference faces (anchors: stash-box promo photos, moderator-approved faces) when its
     * centre lies this close to one of them: a centroid against a single photo, as faceTrustDistance (FAR 1e-3).
     */
    anchorAgreeDistance: 0.514,
    /** Weight the reference faces add to a cluster that agrees with them: one independent reputable voice (design). */
    anchorWeight: 1,
    /**
     * Contribution centres closer than this are near-identical submissions: the same faces re-sent (lightly jittered) by
     * several accounts, or the same scene sampled by several (calibration: two halves of one person's photos sit
     * 0.055–0.192 apart; the synthetic model puts two samples of one scene ≈ 0.01 apart and two scenes ≈ 0.1).
     */
    nearDuplicateDistance: 0.02,
    /** Most weight one group of near-identical submissions can carry, like one scene (design). */
    maxNearDuplicateWeight: 2,
    /** Most weight one scene can carry, however many accounts submit it: K needs two scenes or an anchor (design). */
    maxSceneWeight: 2,
    /**
     * Weight factor of a contribution from a multi-performer scene towards a consensus WITHOUT reference faces: the
     * bootstrap rests on single-performer scenes (issue), and a face credited in a multi-performer scene may be the
     * partner's. 0 is the strict reading (performers never seen alone then wait for a moderator or a promo photo);
     * bench/poisoning measured 0.5 lifting honest faces accepted from 91% to 96% with no poisoned face (docs/consensus.md).
     */
    bootstrapMultiPerformerFactor: 0.5,
    /**
     * A second cluster of at least K that weighs at least this share of the winner's weight makes the performer
     * ambiguous: everything waits for a moderator (design).
     */
    competingShare: 0.5,
    /** Clusters examined per performer (the strongest first); the rest wait (design: bounds the work). */
    maxClusters: 4,
    /** Contributions tried as cluster seeds, spread evenly in id order: bounds the cost at O(256·n) (design). */
    maxSeedCandidates: 256,
    /** Representative trusted faces kept per performer (design: a few looks — makeup, age, lighting). */
    maxMedoids: 5,
    /** One medoid per this many trusted faces, up to maxMedoids (design). */
    facesPerMedoid: 10,
    /** Trusted faces sampled (evenly, by id) to choose medoids from: bounds the cost (design). */
    medoidSample: 512,
  },
  conflicts: {
    /**
     * A contribution is credited to the wrong performer when its centre lies within agreeDistance of another
     * performer's consensus and closer to it than to its own by at least this margin (design: beyond centroid noise,
     * calibration: same-person centroids differ by 0.055–0.192).
     */
    closerMargin: 0.05,
    /** A not-same feedback face contradicts a trusted face this close to it (bench/accuracy: same person at FAR 1e-3). */
    notSameDistance: 0.514,
    /**
     * Weighted distinct contributors whose not-same feedback holds a trusted face back until a moderator decides: one
     * established contributor (design; new accounts' feedback alone only files a record).
     */
    notSameBlockingWeight: 1,
    /** Most weight the feedback of new (probation) accounts adds up to, together (design: sybils cannot block). */
    maxProbationFeedbackWeight: 0.5,
    /**
     * Without a consensus for a performer, a scene's own reference for it is the centroid of the other contributors'
     * contributions for it in that scene, when at least this many accounts sent one (design: a scene-level majority).
     */
    minSceneVoters: 2,
    /** Contradicted face ids listed in one conflict record's evidence (the count is always given). */
    maxFaceIdsInEvidence: 20,
  },
  contributors: {
    /** Accounts younger than this are on probation (design). */
    probationDays: 14,
    /** Faces decided (trusted or disagreeing) before an account's reputation counts as evidence (design: ≈ one contribution). */
    minDecidedFaces: 20,
    /** Reputation an account needs to leave probation (design). */
    establishedReputation: 0.6,
    /** Weight of one account on probation (design: two of them weigh one established contributor). */
    probationWeight: 0.5,
    /** Most weight all probation accounts of one cluster add up to, when the cluster has no reference faces (design). */
    maxProbationWeight: 1,
    /** … and when it agrees with the performer's reference faces (design: lets new users establish anchored performers). */
    maxProbationWeightAnchored: 2,
    /** Established weight ramps linearly from 0 at this reputation … (design) */
    zeroWeightReputation: 0.3,
    /** … to 1 at this one (design). */
    fullWeightReputation: 0.8,
    /** Factor for contributions without a fingerprint match on the stash-box (issue: unverified weighs less; design 0.5). */
    unverifiedFactor: 0.5,
  },
  reputation: {
    /** Beta prior: pseudo-faces trusted / disagreeing before any evidence — prior reputation 0.5, weak (design). */
    priorTrusted: 5,
    priorDisagreed: 5,
    /** One moderator decision counts as this many faces (design: a moderator's word outweighs one contribution). */
    moderatorDecisionFaces: 25,
    /** Below this reputation, with at least minDecidedFaces decided, an account is flagged and weighs nothing (design). */
    flagBelow: 0.35,
  },
  identityLinks: {
    /**
     * Performers on different stash-boxes whose trusted centroids lie this close are suggested as one person
     * (calibration: two halves of one person's photos 0.055–0.192 apart, two people ≥ 0.677).
     */
    maxDistance: 0.25,
    /** Trusted faces each side needs before its centroid is stable enough to compare (design). */
    minTrustedFaces: 5,
  },
} as const;

type Widen<T> = T extends number ? number : T extends object ? { -readonly [K in keyof T]: Widen<T[K]> } : T;

/** The shape of CONSENSUS_DEFAULTS with plain numbers: what a caller may pass instead. */
export type ConsensusConfig = Widen<typeof CONSENSUS_DEFAULTS>;

/** Deep partial, for overriding a few values. */
export type ConsensusConfigOverrides = { [K in keyof ConsensusConfig]?: Partial<ConsensusConfig[K]> };

/** CONSENSUS_DEFAULTS with some values replaced; every value is checked (finite, non-negative, shares ≤ 1). */
export function consensusConfig(overrides: ConsensusConfigOverrides = {}): ConsensusConfig {
  const merged = {} as Record<string, Record<string, number>>;
  for (const [section, values] of Object.entries(CONSENSUS_DEFAULTS)) {
    const extra = (overrides as Record<string, Record<string, number> | undefined>)[section] ?? {};
    for (const key of Object.keys(extra))
      if (!(key in values))
        throw new Error(`unknown consensus setting ${section}.${key}: see CONSENSUS_DEFAULTS for the names`);
    merged[section] = { ...values, ...extra };
  }
  for (const key of Object.keys(overrides))
    if (!(key in CONSENSUS_DEFAULTS))
      throw new Error(`unknown consensus section "${key}": see CONSENSUS_DEFAULTS for the names`);
  const problems: string[] = [];
  for (const [section, values] of Object.entries(merged))
    for (const [key, value] of Object.entries(values))
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        problems.push(`${section}.${key} must be a finite number ≥ 0, got ${String(value)}`);
  const shares: [string, number][] = [
    ['coherence.minMainClusterShare', merged.coherence!.minMainClusterShare!],
    ['agreement.bootstrapMultiPerformerFactor', merged.agreement!.bootstrapMultiPerformerFactor!],
    ['agreement.competingShare', merged.agreement!.competingShare!],
    ['contributors.probationWeight', merged.contributors!.probationWeight!],
    ['contributors.unverifiedFactor', merged.contributors!.unverifiedFactor!],
    ['reputation.flagBelow', merged.reputation!.flagBelow!],
  ];
  for (const [name, value] of shares) if (value > 1) problems.push(`${name} must be ≤ 1, got ${value}`);
  const c = merged.contributors!;
  if (c.zeroWeightReputation! >= c.fullWeightReputation!)
    problems.push('contributors.zeroWeightReputation must be below contributors.fullWeightReputation');
  if (problems.length) throw new Error(`invalid consensus configuration: ${problems.join('; ')}`);
  return merged as unknown as ConsensusConfig;
}
