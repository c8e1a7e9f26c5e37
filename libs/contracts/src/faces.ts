// One detected face as JSON (the client's face pipeline output), and the embedding model that made its embedding.
import { z } from 'zod';

export const FaceBoxSchema = z
  .tuple([z.number(), z.number(), z.number().nonnegative(), z.number().nonnegative()])
  .describe('[x, y, width, height] in pixels of the analysed image; (x, y) is the top-left corner');

export const FacePointSchema = z
  .tuple([z.number(), z.number()])
  .describe('[x, y] in pixels of the analysed image');

export const EmbeddingModelSchema = z
  .object({
    name: z.string().min(1).max(256).describe('Embedding model name, e.g. "faceplugin-fr-feature"'),
    version: z.string().min(1).max(128),
    dimension: z.number().int().positive().max(65536),
    metric: z.literal('cosine').describe('Embeddings are compared by cosine distance; only within one model'),
  })
  .strict()
  .meta({ id: 'EmbeddingModel' });
export type EmbeddingModel = z.infer<typeof EmbeddingModelSchema>;

export const FaceSchema = z
  .object({
    box: FaceBoxSchema,
    score: z.number().min(0).max(1).describe('Detector confidence'),
    landmarks: z
      .array(FacePointSchema)
      .length(5)
      .describe('Left eye, right eye, nose tip, left and right mouth corners (image left/right)'),
    sizePx: z.number().nonnegative().describe('Shorter side of the box in pixels'),
    quality: z
      .number()
      .min(0)
      .max(1)
      .describe(
        'Usefulness for recognition: sharpness of the aligned crop × frontal-pose score (docs/models.md)',
      ),
    sharpness: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Normalised variance of the Laplacian of the aligned crop'),
    pose: z
      .object({ yaw: z.number(), roll: z.number() })
      .optional()
      .describe('Head pose from the five points, in degrees; yaw > 0 when the nose points to image right'),
    embedding: z
      .array(z.number())
      .min(1)
      .describe('Unit-length embedding of the model named alongside (EmbeddingModel)'),
  })
  .meta({ id: 'Face' });
export type Face = z.infer<typeof FaceSchema>;
