import type { PerformerHit, PerformerRecord } from '@stash-sense/face-index';

/** [x, y, width, height] in pixels; (x, y) is the top-left corner. */
export type Box = [x: number, y: number, w: number, h: number];

/** What identification needs of a detected face (a structural subset of the pipeline's DetectedFace). */
export interface FaceInput {
  box: Box;
  score: number;
  quality: number;
  /** Unit-length embedding of the index's model. */
  embedding: Float32Array;
}

/** One sampled video frame and the faces found in it. */
export interface FrameInput<F extends FaceInput = FaceInput> {
  /** Index of the sampled frame (distinct per frame). */
  index: number;
  timestampSec: number;
  faces: readonly F[];
}

/** Alias of FrameInput. */
export type SceneFrame<F extends FaceInput = FaceInput> = FrameInput<F>;

/** The part of FaceIndex identification uses; FaceIndex satisfies it. */
export interface PerformerSearch {
  searchPerformers(query: Float32Array, k: number): PerformerHit[];
}

export type ConfidenceBand = 'high' | 'likely' | 'possible' | 'unlikely';

export interface Candidate {
  performer: PerformerRecord;
  /** Cosine distance to the performer's nearest face (0 identical, lower is better). */
  distance: number;
  /** 1 − distance, clipped to [0, 1]. */
  confidence: number;
  band: ConfidenceBand;
}

export interface FaceIdentification {
  /** Position of the face in the input. */
  face: number;
  /** null: an unknown person (nearest performer farther than the open-set threshold, or taken by a closer face). */
  bestMatch: Candidate | null;
  /** Nearest performers, nearest first (up to topK), whatever their distance: the band says how plausible. */
  candidates: Candidate[];
}

export interface SceneSignals {
  /** Faces of the person whose nearest performer this is. */
  votes: number;
  /** The performer has the most votes of the person's candidates. */
  byFrequency: boolean;
  /** The performer has the smallest distance of the person's candidates. */
  byDistance: boolean;
  /** Boost applied to the score (hybridBoost when found by both, else 0). */
  hybridBoost: number;
  /** Mean distance over the supporting faces. */
  meanDistance: number;
}

export interface SceneCandidate extends Candidate {
  /** Faces of the person supporting the performer (performer among their nearest, distance ≤ 1 − minConfidence). */
  appearances: number;
  /** Distinct frames of those faces. */
  uniqueFrames: number;
  /** appearances / faces of the person. */
  frequency: number;
  /** Ranking score (higher is better): min(1, confidence + boost) · (1 + frameBonus · (uniqueFrames − 1)). */
  score: number;
  signals: SceneSignals;
}

export interface TrackPoint {
  frame: number;
  /** Position of the face in its frame's `faces` (to find its embedding again). */
  face: number;
  timestampSec: number;
  box: Box;
  score: number;
  quality: number;
}

/** Where a person's face was, frame by frame (VTT-like): what contributions send. */
export interface FaceTrack {
  trackId: number;
  points: TrackPoint[];
}

export interface ScenePerson {
  personId: number;
  frameCount: number;
  faceCount: number;
  bestMatch: SceneCandidate | null;
  /** Performers that pass the rules (appearances, frames, confidence), best score first, up to topK. */
  candidates: SceneCandidate[];
  track: FaceTrack;
}

export interface SceneIdentification {
  framesAnalyzed: number;
  facesDetected: number;
  /** Most faces first. */
  people: ScenePerson[];
}
