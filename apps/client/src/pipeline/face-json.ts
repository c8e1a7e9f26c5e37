import type { Face } from '@stash-sense/contracts';
import type { DetectedFace } from './types.js';

/** A detected face as the JSON object of the contracts' FaceSchema (embedding as a plain number array). */
export function faceToJson(face: DetectedFace, options: { decimals?: number } = {}): Face {
  const decimals = options.decimals ?? 2;
  const round = (v: number) => Number(v.toFixed(decimals));
  return {
    box: [round(face.box[0]), round(face.box[1]), round(face.box[2]), round(face.box[3])],
    score: Number(face.score.toFixed(4)),
    landmarks: face.landmarks.map(([x, y]) => [round(x), round(y)] as [number, number]),
    sizePx: round(face.sizePx),
    quality: Number(face.quality.toFixed(4)),
    sharpness: Number(face.sharpness.toFixed(4)),
    pose: { yaw: Number(face.pose.yaw.toFixed(1)), roll: Number(face.pose.roll.toFixed(1)) },
    embedding: Array.from(face.embedding),
  };
}
