// Synthetic "scenes" made of probe photos of 1–3 gallery people plus photos of people absent from the gallery,
// and a simple per-scene voting rule, to measure scene-level precision and recall.
import { nearest, type LabelledEmbedding } from './metrics.js';

export interface Scene {
  /** Gallery people truly present. */
  present: string[];
  faces: LabelledEmbedding[];
}

/** Deterministic PRNG (mulberry32) so a seed always builds the same scenes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], count: number, random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

export interface SceneOptions {
  count: number;
  seed: number;
  /** Photos per present person (fewer when the person has fewer probes). */
  facesPerPerson: number;
  /** Photos of absent people added per scene: 0 to this many. */
  maxUnknownFaces: number;
}

/** Builds `count` scenes: 1–3 gallery people (all their photos up to facesPerPerson) plus 0–maxUnknown unknown photos. */
export function buildScenes(
  galleryPeople: ReadonlySet<string>,
  probes: readonly LabelledEmbedding[],
  options: SceneOptions,
): Scene[] {
  const random = seededRandom(options.seed);
  const byPerson = new Map<string, LabelledEmbedding[]>();
  const unknown: LabelledEmbedding[] = [];
  for (const p of probes) {
    if (!p.embedding) continue;
    if (!galleryPeople.has(p.person)) unknown.push(p);
    else byPerson.set(p.person, [...(byPerson.get(p.person) ?? []), p]);
  }
  const people = [...byPerson.keys()].sort();
  if (people.length === 0) return [];
  const scenes: Scene[] = [];
  for (let s = 0; s < options.count; s++) {
    const present = pick(people, 1 + Math.floor(random() * Math.min(3, people.length)), random);
    const faces = present.flatMap((person) => pick(byPerson.get(person)!, options.facesPerPerson, random));
    faces.push(...pick(unknown, Math.floor(random() * (options.maxUnknownFaces + 1)), random));
    scenes.push({ present: present.sort(), faces: pick(faces, faces.length, random) });
  }
  return scenes;
}

export interface VotingRule {
  /** Per-face match threshold (cosine distance). */
  looseThreshold: number;
  /** A single match this close is enough on its own. */
  strictThreshold: number;
  /** Otherwise a person needs this many matching faces. */
  minVotes: number;
}

/**
 * Bench-local rule (used while apps/client/src/identify has no identifyScene): every face votes for its nearest
 * gallery person when closer than `looseThreshold`; a person is reported with ≥ minVotes votes, or with one vote
 * closer than `strictThreshold`. The same spirit as the seed documents' min_appearances = 2, loosened for scenes
 * made of single photos (a person may have only one probe photo in the fixtures).
 */
export function identifySceneByVotes(
  gallery: readonly LabelledEmbedding[],
  faces: readonly LabelledEmbedding[],
  rule: VotingRule,
): string[] {
  const votes = new Map<string, { count: number; best: number }>();
  for (const face of faces) {
    const n = nearest(gallery, face.embedding);
    if (!n || n.distance >= rule.looseThreshold) continue;
    const v = votes.get(n.person) ?? { count: 0, best: Infinity };
    votes.set(n.person, { count: v.count + 1, best: Math.min(v.best, n.distance) });
  }
  return [...votes.entries()]
    .filter(([, v]) => v.count >= rule.minVotes || v.best < rule.strictThreshold)
    .map(([person]) => person)
    .sort();
}

export interface SceneScore {
  scenes: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** Scenes whose reported set is exactly the true set. */
  exact: number;
}

export function scoreScenes(scenes: readonly Scene[], predict: (scene: Scene) => string[]): SceneScore {
  let tp = 0, fp = 0, fn = 0, exact = 0; // prettier-ignore
  for (const scene of scenes) {
    const predicted = new Set(predict(scene));
    const truth = new Set(scene.present);
    let sceneTp = 0;
    for (const p of predicted) if (truth.has(p)) sceneTp++;
    tp += sceneTp;
    fp += predicted.size - sceneTp;
    fn += truth.size - sceneTp;
    if (sceneTp === truth.size && predicted.size === truth.size) exact++;
  }
  return {
    scenes: scenes.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp + fn ? tp / (tp + fn) : 1,
    exact: scenes.length ? exact / scenes.length : 0,
  };
}
