import type { ContributionRequest } from '@stash-sense/contracts';
import { decodeEmbedding, isFiniteVector, l2Norm } from '@stash-sense/vectors';

export interface ValidationLimits {
  dimension: number;
  maxFacesPerPerformer: number;
  normTolerance: number;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export interface DecodedFace {
  embedding: Float32Array;
  detectorScore: number;
  sizePx: number;
  quality: number;
  timestampSec: number;
  trackId: string;
}

export interface DecodedPerformer {
  stashId: string;
  faces: DecodedFace[];
  tracks: ContributionRequest['performers'][number]['tracks'];
}

/**
 * Frames may be timestamped a little past the stash-box duration (which is rounded to whole seconds,
 * and files of one scene differ by a few frames): one second of slack.
 */
const DURATION_SLACK_SEC = 1;

/**
 * The semantic checks the schema cannot express, as a pure function: decoded embeddings of the model's
 * dimension, finite, non-zero, unit norm, no duplicate faces in the payload, face counts, timestamps
 * inside the scene, tracks that exist. Returns every problem with its field path, or the decoded faces.
 */
export function validateContribution(
  request: ContributionRequest,
  limits: ValidationLimits,
): { ok: true; performers: DecodedPerformer[] } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const durationSec = Math.max(...request.scene.fingerprints.map((f) => f.durationSec));
  const seenEmbeddings = new Map<string, string>();
  const seenPerformers = new Set<string>();
  const performers: DecodedPerformer[] = [];

  request.scene.fingerprints.forEach((fp, i) => {
    const dup = request.scene.fingerprints.findIndex(
      (o) => o.algorithm === fp.algorithm && o.hash === fp.hash,
    );
    if (dup !== i)
      problems.push({ field: `scene.fingerprints.${i}`, message: `duplicates scene.fingerprints.${dup}` });
  });

  request.performers.forEach((performer, p) => {
    const base = `performers.${p}`;
    if (seenPerformers.has(performer.stashId)) {
      problems.push({ field: `${base}.stashId`, message: 'performer appears twice in this contribution' });
    }
    seenPerformers.add(performer.stashId);
    if (performer.faces.length > limits.maxFacesPerPerformer) {
      problems.push({
        field: `${base}.faces`,
        message: `${performer.faces.length} faces, at most ${limits.maxFacesPerPerformer} per performer per scene`,
      });
    }
    const trackIds = new Set<string>();
    performer.tracks.forEach((track, t) => {
      if (trackIds.has(track.trackId))
        problems.push({ field: `${base}.tracks.${t}.trackId`, message: 'duplicate track id' });
      trackIds.add(track.trackId);
      track.points.forEach((point, k) => {
        if (point.t > durationSec + DURATION_SLACK_SEC) {
          problems.push({
            field: `${base}.tracks.${t}.points.${k}.t`,
            message: `${point.t} s is past the scene's ${durationSec} s duration`,
          });
        }
      });
    });

    const faces: DecodedFace[] = [];
    performer.faces.forEach((face, f) => {
      const field = `${base}.faces.${f}`;
      if (face.timestampSec > durationSec + DURATION_SLACK_SEC) {
        problems.push({
          field: `${field}.timestampSec`,
          message: `${face.timestampSec} s is past the scene's ${durationSec} s duration`,
        });
      }
      if (!trackIds.has(face.trackId)) {
        problems.push({ field: `${field}.trackId`, message: `no track "${face.trackId}" in ${base}.tracks` });
      }
      const earlier = seenEmbeddings.get(face.embedding);
      if (earlier) {
        problems.push({
          field: `${field}.embedding`,
          message: `duplicate face: same embedding as ${earlier}`,
        });
        return;
      }
      seenEmbeddings.set(face.embedding, field);
      let embedding: Float32Array;
      try {
        embedding = decodeEmbedding(face.embedding, request.encoding);
      } catch (err) {
        problems.push({ field: `${field}.embedding`, message: (err as Error).message });
        return;
      }
      if (embedding.length !== limits.dimension) {
        problems.push({
          field: `${field}.embedding`,
          message: `has ${embedding.length} values; model ${request.model.name} ${request.model.version} makes ${limits.dimension}`,
        });
        return;
      }
      if (!isFiniteVector(embedding)) {
        problems.push({ field: `${field}.embedding`, message: 'contains NaN or infinite values' });
        return;
      }
      const norm = l2Norm(embedding);
      if (norm === 0) {
        problems.push({ field: `${field}.embedding`, message: 'is the zero vector' });
        return;
      }
      if (Math.abs(norm - 1) > limits.normTolerance) {
        problems.push({
          field: `${field}.embedding`,
          message: `norm ${norm.toFixed(4)} is not 1: send L2-normalised embeddings`,
        });
        return;
      }
      faces.push({
        embedding,
        detectorScore: face.detectorScore,
        sizePx: face.sizePx,
        quality: face.quality,
        timestampSec: face.timestampSec,
        trackId: face.trackId,
      });
    });
    performers.push({ stashId: performer.stashId, faces, tracks: performer.tracks });
  });

  return problems.length ? { ok: false, problems } : { ok: true, performers };
}

/** Whether any submitted fingerprint is one of the stash-box scene's. */
export function fingerprintMatches(
  submitted: readonly { algorithm: string; hash: string }[],
  known: readonly { algorithm: string; hash: string }[],
): boolean {
  const keys = new Set(known.map((f) => `${f.algorithm}:${f.hash.toLowerCase()}`));
  return submitted.some((f) => keys.has(`${f.algorithm}:${f.hash.toLowerCase()}`));
}
