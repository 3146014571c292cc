import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importPairsFromFiles, importPairsFromZip, toSegPair } from '../../src/data/mask-import';
import { encodePng } from '../../src/data/png';

/** An RGB PNG of w x h with a simple gradient. */
function imagePng(w: number, h: number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) px.set([(i * 3) & 255, (i * 5) & 255, (i * 7) & 255], i * 3);
  return encodePng(px, w, h, 3);
}

/** A grey PNG mask of w x h whose pixels are class indices i mod `classes`, with `extra` at pixel 5. */
function maskPng(w: number, h: number, classes: number, extra?: number): Uint8Array {
  const px = Uint8Array.from({ length: w * h }, (_, i) => i % classes);
  if (extra !== undefined) px[5] = extra;
  return encodePng(px, w, h, 1);
}

const opts = { numClasses: 3 };

describe('mask import', () => {
  it('loads the one good pair of a zip and lists the three bad ones with reasons', async () => {
    const zip = zipSync({
      'data/images/good.png': imagePng(16, 12),
      'data/masks/good.png': maskPng(16, 12, 3),
      'data/images/lonely.png': imagePng(16, 16),
      'data/images/beyond.png': imagePng(8, 8),
      'data/masks/beyond.png': maskPng(8, 8, 3, 7),
      'data/images/small.png': imagePng(16, 16),
      'data/masks/small.png': maskPng(8, 8, 3),
      '__MACOSX/data/images/._good.png': new Uint8Array([1, 2, 3]),
    });
    const { pairs, problems } = await importPairsFromZip(zip, opts, 'pairs.zip');
    expect(pairs.map((p) => p.name)).toEqual(['good']);
    const good = pairs[0];
    expect([good.width, good.height, good.image.length, good.labels.length]).toEqual([
      16, 12, 576, 192,
    ]);
    expect(Array.from(good.labels.slice(0, 4))).toEqual([0, 1, 2, 0]);
    expect(Array.from(good.image.slice(3, 6))).toEqual([3, 5, 7]);
    expect(problems).toHaveLength(3);
    const why = Object.fromEntries(problems.map((p) => [p.file, p.reason]));
    expect(why['data/images/lonely.png']).toMatch(/image without a mask/);
    expect(why['data/masks/beyond.png']).toMatch(
      /class index 7 at x=5, y=0 is beyond the 3 declared classes/,
    );
    expect(why['data/masks/small.png']).toMatch(/wrong size: it is 8x8 but its image .* is 16x16/);
  });

  it('matches two file lists by stem and reports masks without images, non-images and corrupt files', async () => {
    const corrupt = imagePng(4, 4);
    corrupt[corrupt.length - 20] ^= 0xff;
    const { pairs, problems } = await importPairsFromFiles(
      [
        { name: 'a.png', bytes: imagePng(4, 4) },
        { name: 'b.png', bytes: corrupt },
        { name: 'notes.txt', bytes: new Uint8Array([104, 105]) },
        { name: 'c.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff]) },
      ],
      [
        { name: 'a.png', bytes: maskPng(4, 4, 3) },
        { name: 'b.png', bytes: maskPng(4, 4, 3) },
        { name: 'c.png', bytes: maskPng(4, 4, 3) },
        { name: 'orphan.png', bytes: maskPng(4, 4, 3) },
      ],
      opts,
    );
    expect(pairs.map((p) => p.name)).toEqual(['a']);
    const why = Object.fromEntries(problems.map((p) => [p.file, p.reason]));
    expect(why['b.png']).toMatch(/unreadable image: PNG is corrupt/);
    expect(why['notes.txt']).toMatch(/not an image file/);
    expect(why['c.jpg']).toMatch(/unreadable image: no decoder for jpg/);
    expect(why['orphan.png']).toMatch(/mask without an image/);
    expect(problems).toHaveLength(4);
  });

  it('uses an injected decoder, colour maps, and reads 0/255 masks as two classes', async () => {
    const colours = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 0, 255],
    ] as const;
    const rgbMask = new Uint8Array(2 * 2 * 3);
    [0, 1, 2, 1].forEach((k, i) => rgbMask.set(colours[k], i * 3));
    const decode = async () => ({
      width: 2,
      height: 2,
      channels: 1 as const,
      data: new Uint8Array([9, 8, 7, 6]),
    });
    const coloured = await importPairsFromFiles(
      [{ name: 'x.jpg', bytes: new Uint8Array([1]) }],
      [{ name: 'x.png', bytes: encodePng(rgbMask, 2, 2, 3) }],
      { numClasses: 3, classColors: colours, decode },
    );
    expect(coloured.problems).toEqual([]);
    expect(Array.from(coloured.pairs[0].labels)).toEqual([0, 1, 2, 1]);
    expect(Array.from(coloured.pairs[0].image.slice(0, 6))).toEqual([9, 9, 9, 8, 8, 8]);
    const unknown = await importPairsFromFiles(
      [{ name: 'x.png', bytes: imagePng(2, 2) }],
      [{ name: 'x.png', bytes: encodePng(rgbMask.fill(77, 0, 3), 2, 2, 3) }],
      { numClasses: 3, classColors: colours },
    );
    expect(unknown.problems[0].reason).toMatch(
      /colour \(77, 77, 77\) at x=0, y=0 is none of the 3 class colours/,
    );
    const binary = await importPairsFromFiles(
      [{ name: 'y.png', bytes: imagePng(2, 2) }],
      [{ name: 'y.png', bytes: encodePng(new Uint8Array([0, 255, 255, 0]), 2, 2, 1) }],
      { numClasses: 2 },
    );
    expect(Array.from(binary.pairs[0].labels)).toEqual([0, 1, 1, 0]);
    const seg = toSegPair(binary.pairs[0], 4);
    expect([seg.size, seg.image.length, seg.labels.length]).toEqual([4, 48, 16]);
    expect(Array.from(seg.labels)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('refuses zips over the size limit, zip bombs by declared size before inflating, and non-zips', async () => {
    const zeros = new Uint8Array(2_000_000);
    const bomb = zipSync({ 'images/a.png': zeros, 'masks/a.png': zeros }, { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    const r = await importPairsFromZip(bomb, { ...opts, maxUnzippedBytes: 1_000_000 }, 'bomb.zip');
    expect(r.pairs).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: 'bomb.zip',
        reason: expect.stringMatching(/unpack to 3\.8 MB, over the limit of 0\.95\d* MB/),
      },
    ]);
    const big = await importPairsFromZip(bomb, { ...opts, maxZipBytes: 1000 }, 'big.zip');
    expect(big.problems[0].reason).toMatch(/over the limit/);
    const junk = await importPairsFromZip(new Uint8Array([1, 2, 3, 4]), opts, 'junk.zip');
    expect(junk.problems[0].reason).toMatch(/not a readable zip file/);
  });
});
