import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { decomposePRelu } from './onnx-graph.js';

const { onnx } = onnxProto;

// Slopes below 0, between 0 and 1, above 1 and 0: max(x, s·x) would be wrong for the third, PRelu is not.
const SLOPES = [-1.35, 0.25, 1.23, 0];
const SHAPE = [1, 4, 3, 5];

/** x → Conv (1×1, identity weights) → PRelu(slope) → y, the layout of the embedder's blocks. */
function preluModel(options: { slopeAsFloatData?: boolean; slopeAsInput?: boolean } = {}): Uint8Array {
  const channels = SHAPE[1]!;
  const identity = Float32Array.from({ length: channels * channels }, (_, i) =>
    i % (channels + 1) === 0 ? 1 : 0,
  );
  const slope = onnx.TensorProto.create({
    name: 'slope',
    dataType: onnx.TensorProto.DataType.FLOAT,
    dims: [channels, 1, 1],
    ...(options.slopeAsFloatData
      ? { floatData: SLOPES }
      : { rawData: new Uint8Array(Float32Array.from(SLOPES).buffer) }),
  });
  const valueInfo = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: dims.map((dimValue) => ({ dimValue })) },
        },
      },
    });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'prelu',
        node: [
          { name: 'conv', opType: 'Conv', input: ['x', 'weights'], output: ['features'] },
          { name: 'act', opType: 'PRelu', input: ['features', 'slope'], output: ['y'] },
        ],
        initializer: [
          onnx.TensorProto.create({
            name: 'weights',
            dataType: onnx.TensorProto.DataType.FLOAT,
            dims: [channels, channels, 1, 1],
            rawData: new Uint8Array(identity.buffer),
          }),
          ...(options.slopeAsInput ? [] : [slope]),
        ],
        input: [
          valueInfo('x', SHAPE),
          ...(options.slopeAsInput ? [valueInfo('slope', [channels, 1, 1])] : []),
        ],
        output: [valueInfo('y', SHAPE)],
      },
    }),
  ).finish();
}

const input = Float32Array.from(
  { length: SHAPE.reduce((a, b) => a * b) },
  (_, i) => ((i * 7919) % 23) - 11.5,
);

function expectedPRelu(x: Float32Array): number[] {
  const perChannel = SHAPE[2]! * SHAPE[3]!;
  return [...x].map((v, i) =>
    v > 0 ? v : Math.fround(v * Math.fround(SLOPES[Math.floor(i / perChannel)]!)),
  );
}

async function run(model: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const { y } = await session.run({ x: new ort.Tensor('float32', input, SHAPE) });
    return y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const graphOf = (model: Uint8Array) => onnx.ModelProto.decode(model).graph ?? {};
const opTypes = (model: Uint8Array) => (graphOf(model).node ?? []).map((n) => n.opType);

describe('decomposePRelu', () => {
  for (const slopeAsFloatData of [false, true])
    it(`computes PRelu (slope in ${slopeAsFloatData ? 'float_data' : 'raw_data'}) without a PRelu node`, async () => {
      const published = preluModel({ slopeAsFloatData });
      const { model, preluNodes } = decomposePRelu(published);
      assert.equal(preluNodes, 1);
      assert.deepEqual(opTypes(model), ['Conv', 'Relu', 'Mul', 'Mul', 'Add']);
      const expected = expectedPRelu(input);
      const original = await run(published);
      const decomposed = await run(model);
      for (let i = 0; i < expected.length; i++) {
        assert.equal(original[i], expected[i], `published model, element ${i}`);
        // s·x + (1 − s)·x rounds once more than x itself.
        assert.ok(
          Math.abs(decomposed[i]! - expected[i]!) <= 1e-6 * Math.max(1, Math.abs(expected[i]!)),
          `element ${i}`,
        );
      }
    });

  it('drops the replaced slope from the initializers', () => {
    const names = (graphOf(decomposePRelu(preluModel()).model).initializer ?? []).map((t) => t.name);
    assert.ok(!names.includes('slope'), names.join(', '));
    assert.ok(names.includes('weights'));
  });

  it('leaves a PRelu whose slope is not a constant, and returns the same bytes', () => {
    const published = preluModel({ slopeAsInput: true });
    const { model, preluNodes } = decomposePRelu(published);
    assert.equal(preluNodes, 0);
    assert.equal(model, published);
  });

  it('rejects bytes that are not an ONNX model', () => {
    assert.throws(() => decomposePRelu(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])));
  });
});
