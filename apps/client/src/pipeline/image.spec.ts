import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { assertRgbImage, loadImage, resizeRgb } from './image.js';
import { InputError, describeInput } from './input-error.js';

describe('loadImage', () => {
  it('decodes PNG, JPEG and WebP to interleaved RGB', async () => {
    const raw = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    const png = await sharp(raw, { raw: { width: 2, height: 2, channels: 3 } })
      .png()
      .toBuffer();
    const image = await loadImage(png);
    assert.deepEqual({ w: image.width, h: image.height }, { w: 2, h: 2 });
    assert.deepEqual([...image.data], [...raw]);
    for (const format of ['jpeg', 'webp'] as const) {
      const encoded = await sharp({
        create: { width: 8, height: 4, channels: 3, background: { r: 200, g: 10, b: 10 } },
      })
        .toFormat(format, { quality: 100 })
        .toBuffer();
      const decoded = await loadImage(encoded);
      assert.equal(decoded.data.length, 8 * 4 * 3);
      assert.ok(decoded.data[0]! > 180 && decoded.data[1]! < 40, format);
    }
  });

  it('turns grey and transparent images into RGB', async () => {
    const grey = await sharp(Buffer.from([10, 200]), { raw: { width: 2, height: 1, channels: 1 } })
      .png()
      .toBuffer();
    assert.deepEqual([...(await loadImage(grey)).data], [10, 10, 10, 200, 200, 200]);
    const rgba = await sharp(Buffer.from([1, 2, 3, 0]), { raw: { width: 1, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    assert.equal((await loadImage(rgba)).data.length, 3);
  });

  it('applies the EXIF orientation', async () => {
    const wide = await sharp({ create: { width: 6, height: 2, channels: 3, background: 'white' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const image = await loadImage(wide);
    assert.deepEqual([image.width, image.height], [2, 6]);
  });

  it('throws an InputError that names the file and says what to do', async () => {
    await assert.rejects(loadImage('/nonexistent/face.jpg'), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.file, '/nonexistent/face.jpg');
      assert.match(error.message, /\/nonexistent\/face\.jpg.*JPEG, PNG or WebP/);
      return true;
    });
    await assert.rejects(loadImage(Buffer.from('definitely not an image')), InputError);
  });
});

describe('assertRgbImage / resizeRgb', () => {
  it('rejects a buffer that does not match the size', () => {
    assert.throws(() => assertRgbImage({ data: Buffer.alloc(5), width: 2, height: 1 }), /needs 6/);
    assert.throws(() => assertRgbImage({ data: Buffer.alloc(0), width: 0, height: 1 }), /positive/);
  });
  it('resizes to the exact size, with an optional black border', async () => {
    const image = { data: Buffer.alloc(40 * 20 * 3, 255), width: 40, height: 20 };
    assert.equal((await resizeRgb(image, 10, 10)).length, 300);
    const bordered = await resizeRgb(image, 10, 10, { left: 1, top: 2, right: 3, bottom: 4 });
    assert.equal(bordered.length, 14 * 16 * 3);
    assert.equal(bordered[0], 0);
    assert.equal(bordered[(2 * 14 + 1) * 3], 255);
  });
});

describe('describeInput', () => {
  it('hides URL query strings, which may carry API keys', () => {
    assert.equal(
      describeInput('http://stash:9999/scene/3/stream?apikey=secret'),
      'http://stash:9999/scene/3/stream?…',
    );
    assert.equal(describeInput('/a/b.mp4'), '/a/b.mp4');
    assert.ok(!new InputError('https://h/x?token=t', 'bad').message.includes('token'));
  });
});
