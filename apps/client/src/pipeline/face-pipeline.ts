import { l2Normalize } from '@stash-sense/vectors';
import type ort from 'onnxruntime-node';
import { ARCFACE_TEMPLATE_112, estimateSimilarity, invertAffine } from './align.js';
import { PIPELINE_DEFAULTS } from './defaults.js';
import { decodeDetections, detectorInput, paddedLayout, visibleFaceSize } from './detect.js';
import { combineEmbeddings, embedderInput } from './embed.js';
import { clipCorners, cornersToBox, landmarkSquare, type Corners, type ScoredCorners } from './geometry.js';
import { assertRgbImage, loadImage, resizeRgb } from './image.js';
import { landmarksToImage, reduce68To5 } from './landmarks.js';
import { EMBEDDING_MODEL, faceModelPaths, resolveModelsDir } from './models.js';
import { type Device, openSession, runModel, tensor } from './onnx-session.js';
import { combineQuality, estimatePose, laplacianVariance, poseScore, sharpnessScore } from './quality.js';
import { cropResizeMap, type PixelGrid, rgbToGrey, warpAffine } from './resample.js';
import type { DetectedFace, EmbeddingModelInfo, Point, RgbImage } from './types.js';

export interface FacePipelineOptions {
  /** 'cuda' tries the CUDA execution provider and falls back to CPU with a warning. Default 'cpu'. */
  device?: Device;
  /** onnxruntime intra-op threads per model. Default 2. */
  threads?: number;
  /** Folder holding `<package>@<version>/` model folders; default $STASH_SENSE_MODELS_DIR or <repo>/.models. */
  modelsDir?: string;
  /** Drop faces whose shorter box side is below this (original-image pixels). Default 40. */
  minFaceSize?: number;
  /** Minimum detector score. Default 0.65. */
  detectionThreshold?: number;
  /** Also embed the mirrored crop and average. Default off (RECIPES: no gain at twice the cost). */
  flipAverage?: boolean;
  /** When no face is found, try again with the image inside a black border (faces filling the image). Default on. */
  retryPadded?: boolean;
  onWarning?: (message: string) => void;
}

/** One face through every stage, for tools that need the intermediate results (benchmarks, thumbnails). */
export interface FaceStages {
  face: DetectedFace;
  /** Aligned 112×112 crop as interleaved RGB floats 0–255. */
  aligned: Float32Array;
}

/** Share of the aligned crop's side left out on each edge when measuring sharpness (background and warp border). */
const SHARPNESS_MARGIN = 16;

/**
 * Detection → 68-point landmarks → 5-point similarity alignment → 512-d embedding, on onnxruntime-node.
 * One instance holds three model sessions; reuse it and call close() when done.
 */
export class FacePipeline {
  readonly model: EmbeddingModelInfo = EMBEDDING_MODEL;

  private constructor(
    readonly device: Device,
    private readonly detector: ort.InferenceSession,
    private readonly landmarker: ort.InferenceSession,
    private readonly embedder: ort.InferenceSession,
    private readonly settings: {
      minFaceSize: number;
      detectionThreshold: number;
      flipAverage: boolean;
      retryPadded: boolean;
    },
  ) {}

  static async create(options: FacePipelineOptions = {}): Promise<FacePipeline> {
    const threads = options.threads ?? PIPELINE_DEFAULTS.threads;
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a positive integer, got ${threads}`);
    const paths = faceModelPaths(resolveModelsDir(options.modelsDir));
    const requested = options.device ?? PIPELINE_DEFAULTS.device;
    const detector = await openSession(paths.detector, {
      device: requested,
      threads,
      onWarning: options.onWarning,
    });
    // When CUDA could not be loaded for the first model it cannot for the others: open them on the CPU directly.
    const rest = { device: detector.device, threads, onWarning: options.onWarning };
    const landmarker = await openSession(paths.landmarks, rest);
    const embedder = await openSession(paths.embedder, rest);
    return new FacePipeline(detector.device, detector.session, landmarker.session, embedder.session, {
      minFaceSize: options.minFaceSize ?? PIPELINE_DEFAULTS.minFaceSize,
      detectionThreshold: options.detectionThreshold ?? PIPELINE_DEFAULTS.detector.scoreThreshold,
      flipAverage: options.flipAverage ?? PIPELINE_DEFAULTS.embedder.flipAverage,
      retryPadded: options.retryPadded ?? PIPELINE_DEFAULTS.retryPadded,
    });
  }

  /** Every face at least minFaceSize large, best detector score first. */
  async analyzeImage(image: RgbImage): Promise<DetectedFace[]> {
    return (await this.analyzeImageStages(image)).map((s) => s.face);
  }

  async analyzeFile(path: string): Promise<DetectedFace[]> {
    return this.analyzeImage(await loadImage(path));
  }

  /** Like analyzeImage, also returning each face's aligned crop. */
  async analyzeImageStages(image: RgbImage): Promise<FaceStages[]> {
    const detections = await this.detect(image);
    const out: FaceStages[] = [];
    for (const detection of detections)
      out.push(await this.describeFace(image, detection.corners, detection.score));
    return out;
  }

  /** Face boxes (unclipped corners, original pixels) passing the score and size thresholds, best first. */
  async detect(image: RgbImage): Promise<ScoredCorners[]> {
    assertRgbImage(image);
    const found = await this.detectOnce(image, 0);
    if (found.length > 0 || !this.settings.retryPadded) return found;
    return this.detectOnce(image, PIPELINE_DEFAULTS.detector.retryPadFraction);
  }

  private async detectOnce(image: RgbImage, padFraction: number): Promise<ScoredCorners[]> {
    const config = PIPELINE_DEFAULTS.detector;
    const { inputWidth, inputHeight } = config;
    const layout = paddedLayout(image.width, image.height, padFraction);
    const resized =
      padFraction > 0
        ? await resizeRgb(image, layout.innerWidth, layout.innerHeight, layout)
        : await resizeRgb(image, inputWidth, inputHeight);
    const outputs = await runModel(
      this.detector,
      tensor(detectorInput(resized), [1, 3, inputHeight, inputWidth]),
    );
    const detections = decodeDetections(outputs.scores!, outputs.boxes!, {
      ...layout.decode,
      scoreThreshold: this.settings.detectionThreshold,
      topK: config.topK,
      nmsIou: config.nmsIou,
      nmsContained: config.nmsContained,
    });
    return detections.filter(
      (d) => visibleFaceSize(d.corners, image.width, image.height) >= this.settings.minFaceSize,
    );
  }

  private async describeFace(image: RgbImage, corners: Corners, score: number): Promise<FaceStages> {
    const grid: PixelGrid = { data: image.data, width: image.width, height: image.height, channels: 3 };
    const landmarks = await this.locateLandmarks(grid, corners);

    const { size, maxSupersample } = PIPELINE_DEFAULTS.alignment;
    const imageToTemplate = estimateSimilarity(landmarks, ARCFACE_TEMPLATE_112);
    const aligned = warpAffine(grid, invertAffine(imageToTemplate), size, size, { maxSupersample });

    const embedding = await this.embed(aligned, size);
    const sharpness = sharpnessScore(laplacianVariance(rgbToGrey(aligned), size, size, SHARPNESS_MARGIN));
    const pose = estimatePose(landmarks);
    const box = cornersToBox(clipCorners(corners, image.width, image.height));
    const face: DetectedFace = {
      box,
      score,
      landmarks,
      sizePx: Math.min(box[2], box[3]),
      quality: combineQuality(sharpness, poseScore(pose.yaw)),
      sharpness,
      pose,
      embedding,
    };
    return { face, aligned };
  }

  private async locateLandmarks(grid: PixelGrid, corners: Corners): Promise<Point[]> {
    const { inputSize, scale } = PIPELINE_DEFAULTS.landmarks;
    const [x, y, side] = landmarkSquare(corners);
    const crop = warpAffine(
      grid,
      cropResizeMap(x, y, side, side, inputSize, inputSize),
      inputSize,
      inputSize,
      {
        maxSupersample: PIPELINE_DEFAULTS.alignment.maxSupersample,
      },
    );
    const grey = rgbToGrey(crop);
    for (let i = 0; i < grey.length; i++) grey[i]! /= scale;
    const outputs = await runModel(this.landmarker, tensor(grey, [1, 1, inputSize, inputSize]));
    return reduce68To5(landmarksToImage(outputs.output!, { x, y, side }));
  }

  private async embed(aligned: Float32Array, size: number): Promise<Float32Array> {
    const mirrors = this.settings.flipAverage ? [false, true] : [false];
    const embeddings: Float32Array[] = [];
    for (const mirror of mirrors) {
      const outputs = await runModel(
        this.embedder,
        tensor(embedderInput(aligned, size, mirror), [1, 3, size, size]),
      );
      embeddings.push(l2Normalize(outputs.output!));
    }
    return combineEmbeddings(embeddings);
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.release(), this.landmarker.release(), this.embedder.release()]);
  }
}
