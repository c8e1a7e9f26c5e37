import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { decomposePRelu } from './onnx-graph.js';

export type Device = 'cpu' | 'cuda';

export interface SessionOptions {
  device: Device;
  threads: number;
  onWarning?: (message: string) => void;
  /** false: run the model on the CPU as published, with its PRelu nodes (to compare, bench/client-speed). */
  decomposePRelu?: boolean;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  device: Device;
}

/**
 * Opens an ONNX model. `cuda` tries the CUDA execution provider (with CPU for unsupported nodes); when that provider
 * cannot be loaded (onnxruntime-node ships none by default, RECIPES), the model opens on the CPU and `onWarning` says so.
 */
export async function openSession(modelPath: string, options: SessionOptions): Promise<OpenedSession> {
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only: the models carry unused initializers that onnxruntime warns about
    // No busy-waiting between parallel sections: by default onnxruntime's intra-op threads spin for work after each
    // one, and beside ffmpeg on 2 cores that spinning took the CPU the decoder needed. On the 60-frame scene bench the
    // process used 9.2–9.9 CPU-s with spinning and 3.9–4.7 without, end to end 8.8–9.1 → 5.7–6.0 s
    // (docs/benchmarks.md). Session config key session.intra_op.allow_spinning.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  if (options.device === 'cuda') {
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        ...base,
        executionProviders: ['cuda', 'cpu'],
      });
      return { session, device: 'cuda' };
    } catch (error) {
      options.onWarning?.(`CUDA execution provider not available: ${(error as Error).message}; using CPU`);
    }
  }
  // On the CPU the model runs with its PRelu nodes decomposed: the same function, about twice as fast for the
  // embedder (onnx-graph.ts). The CUDA provider gets the model as published.
  const published = await readFile(modelPath);
  const model = options.decomposePRelu === false ? published : decomposePRelu(published).model;
  const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
  return { session, device: 'cpu' };
}

export function tensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Runs a single-input model and returns its outputs' data by name. */
export async function runModel(
  session: ort.InferenceSession,
  input: ort.Tensor,
): Promise<Record<string, Float32Array>> {
  const inputName = session.inputNames[0]!;
  const results = await session.run({ [inputName]: input });
  const out: Record<string, Float32Array> = {};
  for (const [name, value] of Object.entries(results)) out[name] = value.data as Float32Array;
  return out;
}
