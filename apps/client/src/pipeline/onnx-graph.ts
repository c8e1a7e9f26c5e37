import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface GraphRewrite {
  /** The model to hand to onnxruntime: the input bytes themselves when nothing was rewritten. */
  model: Uint8Array;
  /** PRelu nodes replaced. */
  preluNodes: number;
}

/**
 * Replaces every PRelu whose slope is a constant float tensor by the same function in operations that onnxruntime's
 * CPU provider runs fast: `PRelu(x, s) = s·x + (1 − s)·Relu(x)` (x > 0: s·x + (1 − s)·x = x; x ≤ 0: s·x).
 *
 * Why: in onnxruntime 1.30 on the CPU, PRelu is a slow broadcast kernel (≈ 200 µs per node here), and it has no
 * blocked-layout version, so the optimiser converts each convolution's blocked (NCHWc) output back and forth around
 * it. The embedder (fr_feature.onnx, 33 PRelu after 50 convolutions) spent 6.6 of its 13.4 ms in PRelu and 1.3 ms in
 * those layout conversions (onnxruntime's profiler, 1 thread). Rewritten, onnxruntime turns the two constant
 * multiplications into per-channel 1×1 convolutions that stay in the blocked layout and fuses the addition, and the
 * model runs in about half the time: 16.1 → 8.5 ms per face (docs/models.md). The outputs agree to 3e-7 (float
 * rounding of s·x + (1 − s)·x), so embeddings stay those of the published model and mix with it.
 *
 * The protobuf schema is ONNX 1.10's (onnx-proto): fields newer than that would be dropped on re-encoding, so a model
 * with no PRelu to replace is returned as given, untouched. Slopes that are not a float initializer are left alone.
 */
export function decomposePRelu(modelBytes: Uint8Array): GraphRewrite {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) return { model: modelBytes, preluNodes: 0 };
  const initializerList = graph.initializer ?? [];
  const initializers = new Map(initializerList.map((tensor) => [tensor.name, tensor]));
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const replacedSlopes = new Set<string>();
  let replaced = 0;
  for (const node of graph.node ?? []) {
    const slope =
      node.opType === 'PRelu' && !node.domain ? floatValues(initializers.get(node.input?.[1] ?? '')) : null;
    if (!slope) {
      nodes.push(node);
      continue;
    }
    const [x, slopeName] = node.input!;
    const [y] = node.output!;
    const dims = initializers.get(slopeName)!.dims;
    const prefix = `${node.name || y}/prelu_decomposed`;
    initializerList.push(
      floatTensor(`${prefix}/slope`, slope, dims),
      floatTensor(
        `${prefix}/one_minus_slope`,
        slope.map((s) => 1 - s),
        dims,
      ),
    );
    nodes.push(
      onnx.NodeProto.create({
        name: `${prefix}/relu`,
        opType: 'Relu',
        input: [x!],
        output: [`${prefix}/relu`],
      }),
      onnx.NodeProto.create({
        name: `${prefix}/positive_part`,
        opType: 'Mul',
        input: [`${prefix}/relu`, `${prefix}/one_minus_slope`],
        output: [`${prefix}/positive_part`],
      }),
      onnx.NodeProto.create({
        name: `${prefix}/linear_part`,
        opType: 'Mul',
        input: [x!, `${prefix}/slope`],
        output: [`${prefix}/linear_part`],
      }),
      onnx.NodeProto.create({
        name: `${prefix}/sum`,
        opType: 'Add',
        input: [`${prefix}/linear_part`, `${prefix}/positive_part`],
        output: [y!],
      }),
    );
    replacedSlopes.add(slopeName!);
    replaced++;
  }
  if (replaced === 0) return { model: modelBytes, preluNodes: 0 };
  graph.node = nodes;
  // The replaced slopes are no longer read (onnxruntime would warn about each one left behind), unless another node
  // still takes one; inputs of subgraphs (If, Loop) are not looked into, so a graph with any keeps them all.
  const hasSubgraphs = nodes.some((node) =>
    node.attribute?.some((a) => a.g || (a.graphs && a.graphs.length > 0)),
  );
  const stillRead = new Set([
    ...nodes.flatMap((node) => node.input ?? []),
    ...(graph.output ?? []).map((output) => output.name),
  ]);
  graph.initializer = hasSubgraphs
    ? initializerList
    : initializerList.filter(
        (tensor) => !replacedSlopes.has(tensor.name ?? '') || stillRead.has(tensor.name),
      );
  return { model: onnx.ModelProto.encode(model).finish(), preluNodes: replaced };
}

function floatValues(tensor: onnxProto.onnx.ITensorProto | undefined): Float32Array | null {
  if (!tensor || tensor.dataType !== onnx.TensorProto.DataType.FLOAT || tensor.dataLocation === 1)
    return null;
  if (tensor.floatData && tensor.floatData.length > 0) return Float32Array.from(tensor.floatData);
  const raw = tensor.rawData;
  if (!raw || raw.byteLength % 4 !== 0) return null;
  // ONNX stores raw data little-endian; read through a DataView so that the byte offset's alignment does not matter.
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Float32Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

function floatTensor(
  name: string,
  values: Float32Array,
  dims: onnxProto.onnx.ITensorProto['dims'],
): onnxProto.onnx.TensorProto {
  const raw = new Uint8Array(values.byteLength);
  const view = new DataView(raw.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: raw });
}
