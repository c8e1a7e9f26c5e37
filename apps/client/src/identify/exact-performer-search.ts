/**
 * Brute-force PerformerSearch over embeddings held in memory: exact, O(faces) per query. For small galleries
 * (a handful of enrolled performers, tests); use a FaceIndex for anything large.
 */
import type { PerformerHit, PerformerRecord } from '@stash-sense/face-index';
import { cosineDistance } from '@stash-sense/vectors';
import type { PerformerSearch } from './types.js';

export class ExactPerformerSearch implements PerformerSearch {
  private readonly faces: { performer: PerformerRecord; embedding: Float32Array }[] = [];

  constructor(
    gallery: readonly {
      performer: Omit<PerformerRecord, 'faceCount'>;
      embeddings: readonly Float32Array[];
    }[],
  ) {
    for (const { performer, embeddings } of gallery) {
      const record: PerformerRecord = { ...performer, faceCount: embeddings.length };
      for (const embedding of embeddings) this.faces.push({ performer: record, embedding });
    }
  }

  searchPerformers(query: Float32Array, k: number): PerformerHit[] {
    const best = new Map<number, PerformerHit>();
    for (const face of this.faces) {
      const distance = cosineDistance(query, face.embedding);
      const hit = best.get(face.performer.id);
      if (!hit) best.set(face.performer.id, { performer: face.performer, distance, faceHits: 1 });
      else {
        hit.faceHits++;
        hit.distance = Math.min(hit.distance, distance);
      }
    }
    return [...best.values()]
      .sort((a, b) => a.distance - b.distance || a.performer.id - b.performer.id)
      .slice(0, k);
  }
}
