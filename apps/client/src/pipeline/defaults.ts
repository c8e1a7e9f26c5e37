/**
 * Every number the face pipeline depends on, in one place, each with where it comes from.
 * "RECIPES" is ../shared/RECIPES.md (measurements on a held-out set of 1,456 photos); "package" is the
 * source of faceplugin-face-recognition-js@0.0.1 (lib/fr_detect.js, fr_landmark.js, fr_feature.js);
 * "docs/models.md" holds the measurements made for this client on the fixture photos.
 */
export const PIPELINE_DEFAULTS = {
  /** onnxruntime intra-op threads per session; RECIPES: set explicitly, 2 on the 2-core target machines. */
  threads: 2,
  /** Execution device; CUDA is opt-in and falls back to CPU (RECIPES: no CUDA provider ships with onnxruntime-node here). */
  device: 'cpu' as 'cpu' | 'cuda',
  /** Detect again on a padded image when nothing is found (see detector.retryPadFraction). */
  retryPadded: true,
  /** Faces whose shorter box side is below this many original-image pixels are dropped (issue spec; smaller faces embed poorly). */
  minFaceSize: 40,
  detector: {
    /** The model's fixed input size (width × height); the whole image is resized to it, aspect not kept (package, RECIPES). */
    inputWidth: 320,
    inputHeight: 240,
    /** Pixel normalisation (v − mean) / std on RGB (package, RECIPES). */
    mean: 127,
    std: 128,
    /** Minimum face score (package `confidence_threshold`; RECIPES: 0.65 worked). */
    scoreThreshold: 0.65,
    /** Candidates kept before NMS (package `top_k`). */
    topK: 750,
    /** Non-maximum suppression IoU (package `nms_threshold`; RECIPES: 0.4 worked). */
    nmsIou: 0.4,
    /**
     * Also drop a box when this share of it lies inside a better box: boxes on the eyes inside the face box and
     * half-face duplicates, seen on the fixture crops (docs/models.md). The package's own NMS measures overlap
     * relative to the candidate box in the same way (at 0.4).
     */
    nmsContained: 0.5,
    /**
     * When no face is found, detect again on the image shrunk inside a black border of this share of its size on every
     * side: faces that fill the whole image (tight crops, close-ups) are too large for the detector's anchors otherwise.
     */
    retryPadFraction: 0.25,
  },
  landmarks: {
    /** Square grey crop (side = detector box height, centred on the box) resized to this size (package, RECIPES). */
    inputSize: 64,
    /** Grey value scale: v / 256 (package preprocessLandmark). */
    scale: 256,
  },
  alignment: {
    /** Output size of the aligned face crop (ArcFace convention, RECIPES). */
    size: 112,
    /**
     * Most samples per output pixel along each axis when the face is larger than the crop (anti-aliasing, RECIPES).
     * 4, not 8: on faces of 140–690 px from 1080p frames the embeddings of the two differ by ≤ 4e-5 in cosine
     * distance and the fixture accuracy is unchanged, while the warps (the landmark crop and the 112-px alignment)
     * cost a third less of a 60-frame scene's analysis (docs/benchmarks.md).
     */
    maxSupersample: 4,
  },
  embedder: {
    /** Pixel normalisation (v − mean) / std on B,G,R channel order (RECIPES: BGR beats RGB by ≈1 point of rank-1). */
    mean: 127,
    std: 128,
    /** Embedding size of fr_feature.onnx. */
    dimension: 512,
    /** Average with the mirrored crop's embedding; RECIPES: no gain at twice the cost, so off. */
    flipAverage: false,
  },
  quality: {
    /**
     * sharpness = v / (v + sharpnessHalf), v = variance of the Laplacian over the centre of the aligned grey crop.
     * Measured on the fixtures (docs/models.md): sharp photos have a median v ≈ 730 (→ 0.95); blur σ = 1.5 px at crop
     * scale, v ≈ 90, still embeds at 0.97 similarity to the sharp face (→ 0.69); σ = 3 px, v ≈ 17, drops it to 0.79
     * (→ 0.30); σ = 6 px, v ≈ 2, leaves a useless 0.23 (→ 0.05).
     */
    sharpnessHalf: 40,
    /** Yaw (degrees) up to which the pose counts as frontal, and from which a face counts as a profile (pose score 0). */
    frontalYaw: 20,
    profileYaw: 60,
    /** Depth of the nose tip in front of the eyes relative to the inter-ocular distance, for the yaw estimate (anthropometric ≈ 0.5). */
    noseDepthRatio: 0.5,
  },
  video: {
    /** Frames sampled per video (issue spec); scene-level voting needs many frames (RECIPES, seed docs). */
    frameCount: 60,
    /** Sampled span: skip the first and last 5% (intros, credits; issue spec). */
    startFraction: 0.05,
    endFraction: 0.95,
    /** Frames are decoded at most this wide (issue spec): 720p keeps 40-px faces detectable at a quarter of 4K's cost. */
    maxWidth: 1280,
    /**
     * Batch processes at once (exact seeks and containers without a seek index; keyframe seeks in MP4/MOV and
     * Matroska/WebM use one seeking decoder), one per core of the 2-core target machines: a process decodes its frames one after
     * another on one core (decoder threads 1), so a second one uses the other core while detection is idle; measured
     * 6.5 → 4.2 s for 60 frames of a 20-min 1080p video on 2 quiet cores (docs/benchmarks.md).
     */
    concurrency: 2,
    /**
     * Frames sampled at least this far apart are taken at the keyframe at or before each time (fast seek, one keyframe
     * decoded per frame); closer frames are decoded exactly (from the keyframe up to the time), or several samples would
     * land on the same keyframe. 10 s is x264's default keyframe interval at 25 fps (keyint 250), the longest common one.
     */
    keyframeSeekMinSpacingSec: 10,
    /**
     * One batch process opens one input per frame, all at once, so its memory grows with the frames it takes. A
     * single-threaded H.264 decoder measured ≈ 17–20 MiB per 1080p input (≈ 6 frames of YUV 4:2:0), so this budget
     * lets a process take 10 frames of 1080p, 2 of 4K and (capped) 20 of 720p; with 2 processes at once the decoders
     * stay under ≈ 400 MiB (docs/benchmarks.md).
     */
    decoderMemoryBudgetMiB: 192,
    /** Bounds for the frames per process: more frames per process share its start-up cost (docs/models.md: a one-frame process ≈ 0.18 s of CPU, a frame in a batch ≈ 0.055 s). */
    maxFramesPerProcess: 20,
    /** Give up on an http(s) input that sends nothing for this long. */
    networkTimeoutSec: 30,
  },
  thumbnail: {
    /** Edge length of face thumbnails in pixels (issue spec). */
    size: 128,
    /** Added around the box's longer side on every side, as a share of it, so hair and chin show. */
    margin: 0.25,
    jpegQuality: 85,
  },
} as const;

/** The defaults' shape with plain number/boolean/string fields, so functions can take other values than the defaults. */
type Widen<T> = T extends number
  ? number
  : T extends boolean
    ? boolean
    : T extends string
      ? T
      : { [K in keyof T]: Widen<T[K]> };
export type PipelineSettings = Widen<typeof PIPELINE_DEFAULTS>;
