// Turns an attribution into the ContributionRequest the cloud accepts (libs/contracts/src/contributions.ts):
// embeddings as base64 float16, one face track per performer, and an idempotency key derived from the content,
// so sending the same scene analysis twice stores it once.
import { createHash } from 'node:crypto';
import type { ContributionRequest, SceneFingerprint } from '@stash-sense/contracts';
import { encodeEmbedding } from '@stash-sense/vectors';
import type { EmbeddingModelInfo } from '../pipeline/index.js';
import { CLIENT_VERSION } from '../version.js';
import type { AttributedPerformer, SceneFace } from './attribution.js';

export interface ContributionScene {
  endpoint: string;
  stashId: string;
  fingerprints: SceneFingerprint[];
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function buildContributionRequest(
  scene: ContributionScene,
  performers: readonly AttributedPerformer<SceneFace>[],
  model: EmbeddingModelInfo,
): ContributionRequest {
  if (performers.length === 0)
    throw new RangeError('no performer was attributed: there is nothing to contribute');
  const hash = createHash('sha256').update(
    `${scene.endpoint}\n${scene.stashId}\n${model.name}@${model.version}\n`,
  );
  const body: ContributionRequest['performers'] = performers.map((performer, p) => {
    const trackId = `person-${p + 1}`;
    const faces = performer.faces.map(({ face, timestampSec }) => {
      const embedding = encodeEmbedding(face.embedding, 'float16');
      hash.update(`${performer.stashId}:${timestampSec}:${embedding}\n`);
      return {
        embedding,
        detectorScore: round(Math.min(1, Math.max(0, face.score)), 4),
        sizePx: Math.max(1, Math.round(face.sizePx)),
        quality: round(Math.min(1, Math.max(0, face.quality)), 4),
        timestampSec: round(timestampSec),
        trackId,
      };
    });
    const points = performer.faces.map(({ face, timestampSec }) => ({
      t: round(timestampSec),
      box: face.box.map((v, i) => (i < 2 ? Math.max(0, round(v, 1)) : Math.max(0.1, round(v, 1)))) as [
        number,
        number,
        number,
        number,
      ],
    }));
    return { stashId: performer.stashId, faces, tracks: [{ trackId, points }] };
  });
  return {
    idempotencyKey: `ss1-${hash.digest('hex').slice(0, 40)}`,
    client: { name: 'stash-sense-client', version: CLIENT_VERSION },
    model: { name: model.name, version: model.version },
    encoding: 'float16',
    scene: { endpoint: scene.endpoint, stashId: scene.stashId, fingerprints: scene.fingerprints },
    performers: body,
  };
}
