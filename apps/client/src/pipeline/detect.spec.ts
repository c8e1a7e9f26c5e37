import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PIPELINE_DEFAULTS } from './defaults.js';
import { decodeDetections, detectorInput, paddedLayout, visibleFaceSize } from './detect.js';

const { inputWidth: W, inputHeight: H } = PIPELINE_DEFAULTS.detector;

describe('detectorInput', () => {
  it('turns interleaved RGB into planar R, G, B normalised as (v − 127) / 128', () => {
    const rgb = new Uint8Array(W * H * 3);
    rgb.set([255, 127, 0], 0); // first pixel
    rgb.set([1, 2, 3], 3 * (W + 1)); // pixel (1,1)
    const input = detectorInput(rgb);
    const plane = W * H;
    assert.equal(input.length, 3 * plane);
    assert.deepEqual([input[0], input[plane], input[2 * plane]], [1, 0, -127 / 128]);
    const i = W + 1;
    assert.deepEqual(
      [input[i], input[plane + i], input[2 * plane + i]],
      [-126 / 128, -125 / 128, -124 / 128],
    );
  });
  it('rejects a wrongly sized image', () =>
    assert.throws(() => detectorInput(new Uint8Array(10)), /320×240/));
});

function outputs(detections: { score: number; box: [number, number, number, number] }[], total = 6) {
  const scores = new Float32Array(total * 2);
  const boxes = new Float32Array(total * 4);
  for (let i = 0; i < total; i++) scores[i * 2] = 1; // background
  detections.forEach((d, i) => {
    scores[i * 2] = 1 - d.score;
    scores[i * 2 + 1] = d.score;
    boxes.set(d.box, i * 4);
  });
  return { scores, boxes };
}

const decode = {
  imageWidth: 1000,
  imageHeight: 500,
  scoreThreshold: 0.65,
  topK: 750,
  nmsIou: 0.4,
  nmsContained: 0.5,
};

describe('decodeDetections', () => {
  it('scales normalised corners to the image, applies the threshold and NMS, best first', () => {
    const { scores, boxes } = outputs([
      { score: 0.9, box: [0.1, 0.2, 0.2, 0.4] },
      { score: 0.95, box: [0.101, 0.2, 0.201, 0.4] }, // duplicate of the first
      { score: 0.6, box: [0.5, 0.5, 0.6, 0.7] }, // below threshold
      { score: 0.8, box: [0.7, 0.1, 0.8, 0.3] },
    ]);
    const found = decodeDetections(scores, boxes, decode);
    assert.equal(found.length, 2);
    assert.ok(Math.abs(found[0]!.score - 0.95) < 1e-6);
    found[0]!.corners.forEach((v, i) => assert.ok(Math.abs(v - [101, 100, 201, 200][i]!) < 1e-3));
    found[1]!.corners.forEach((v, i) => assert.ok(Math.abs(v - [700, 50, 800, 150][i]!) < 1e-3));
  });

  it('ignores inverted boxes and caps candidates at topK', () => {
    const { scores, boxes } = outputs([
      { score: 0.9, box: [0.5, 0.5, 0.4, 0.6] },
      { score: 0.8, box: [0.1, 0.1, 0.2, 0.2] },
      { score: 0.7, box: [0.6, 0.6, 0.7, 0.7] },
    ]);
    assert.equal(decodeDetections(scores, boxes, decode).length, 2);
    assert.equal(decodeDetections(scores, boxes, { ...decode, topK: 1 }).length, 1);
  });

  it('refuses outputs of different lengths', () => {
    assert.throws(() => decodeDetections(new Float32Array(4), new Float32Array(4), decode), /disagree/);
  });
});

describe('paddedLayout', () => {
  it('maps a box found in the padded detector input back to original-image pixels', () => {
    const layout = paddedLayout(150, 150, 0.25);
    assert.equal(layout.left + layout.innerWidth + layout.right, W);
    assert.equal(layout.top + layout.innerHeight + layout.bottom, H);
    // The image's full extent, as normalised detector coordinates, must decode to [0, 0, 150, 150].
    const corners = [
      layout.left / W,
      layout.top / H,
      (layout.left + layout.innerWidth) / W,
      (layout.top + layout.innerHeight) / H,
    ];
    const { scores, boxes } = outputs([{ score: 0.99, box: corners as [number, number, number, number] }], 1);
    const [found] = decodeDetections(scores, boxes, { ...decode, ...layout.decode });
    found!.corners.forEach((v, i) => assert.ok(Math.abs(v - [0, 0, 150, 150][i]!) < 1e-3, `${v}`));
  });
  it('is the identity layout without padding', () => {
    const layout = paddedLayout(640, 480, 0);
    assert.deepEqual(layout.decode, { imageWidth: 640, imageHeight: 480, offsetX: 0, offsetY: 0 });
  });
});

describe('visibleFaceSize', () => {
  it('is the shorter side of the part inside the image', () => {
    assert.equal(visibleFaceSize([-20, 10, 40, 110], 200, 200), 40);
    assert.equal(visibleFaceSize([10, 10, 60, 40], 200, 200), 30);
  });
});
