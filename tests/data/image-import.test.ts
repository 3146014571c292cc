import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { centreCropResize, importImages, importImagesFromZip } from '../../src/data/image-import';
import type { DecodedImage } from '../../src/data/mask-import';
import { decodePng, encodePng } from '../../src/data/png';

/** A `w` x `h` RGB PNG whose pixel colour is `colour(x, y)`. */
function png(w: number, h: number, colour: (x: number, y: number) => number[]): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(colour(x, y), (y * w + x) * 3);
  return encodePng(rgb, w, h, 3);
}

const RED = [200, 0, 0];
const BLUE = [0, 0, 200];
const GREEN = [0, 200, 0];
// 60x20: blue | red | green thirds, so only the centre crop is all red.
const wide = png(60, 20, (x) => (x < 20 ? BLUE : x < 40 ? RED : GREEN));
const plain = png(24, 24, () => GREEN);

describe('image import', () => {
  it('a zip with two images, a text file and a corrupt PNG yields two images and two skipped files', async () => {
    const corrupt = plain.slice(0, 40); // signature and header, data cut off
    const zip = zipSync({
      'faces/a.png': wide,
      'faces/b.png': plain,
      'faces/notes.txt': new TextEncoder().encode('hello'),
      'faces/broken.png': corrupt,
      'faces/.DS_Store': new Uint8Array([1, 2, 3]),
      '__MACOSX/faces/._a.png': new Uint8Array([0]),
      'faces/empty/': new Uint8Array(0),
    });
    const result = await importImagesFromZip(zip, { sizes: [16, 32] }, 'faces.zip');
    expect(result.count).toBe(2);
    expect(result.pools.get(16)!.length).toBe(2 * 16 * 16 * 3);
    expect(result.pools.get(32)!.length).toBe(2 * 32 * 32 * 3);
    expect(result.skipped.map((s) => s.file).sort()).toEqual([
      'faces.zip/faces/broken.png',
      'faces.zip/faces/notes.txt',
    ]);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.file, s.reason]));
    expect(reasons['faces.zip/faces/notes.txt']).toMatch(/not an image file \(\.txt\)/);
    expect(reasons['faces.zip/faces/broken.png']).toMatch(/unreadable image/);
    // Name order: a.png (cropped to red) first, then b.png (green).
    const pool = result.pools.get(16)!;
    expect(Array.from(pool.subarray(0, 3))).toEqual(RED);
    expect(Array.from(pool.subarray(16 * 16 * 3, 16 * 16 * 3 + 3))).toEqual(GREEN);
  });

  it('centre-crops a non-square image before resizing, both ways round', () => {
    const rgb = (w: number, h: number, f: (x: number, y: number) => number[]) => {
      const data = new Uint8Array(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
      return { width: w, height: h, channels: 3 as const, data };
    };
    const wideImg = centreCropResize(
      rgb(60, 20, (x) => (x < 20 ? BLUE : x < 40 ? RED : GREEN)),
      16,
    );
    const tallImg = centreCropResize(
      rgb(20, 61, (_, y) => (y < 20 ? BLUE : y < 40 ? RED : GREEN)),
      8,
    );
    for (let i = 0; i < 16 * 16; i++)
      expect(Array.from(wideImg.subarray(i * 3, i * 3 + 3))).toEqual(RED);
    // 61 rows: the crop starts at row 20, so every output pixel is red.
    for (let i = 0; i < 8 * 8; i++)
      expect(Array.from(tallImg.subarray(i * 3, i * 3 + 3))).toEqual(RED);
    // Area averaging: a 2x2 checkerboard of 0/255 halves to a flat 128 (bilinear would alias).
    const checker = centreCropResize(
      rgb(32, 32, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0])),
      16,
    );
    expect(new Set(checker)).toEqual(new Set([128]));
    // Alpha is composited over white.
    const clear = centreCropResize(
      { width: 16, height: 16, channels: 4, data: new Uint8Array(16 * 16 * 4) },
      16,
    );
    expect(new Set(clear)).toEqual(new Set([255]));
  });

  it('makes the 32 px image from the 64 px one exactly as a direct box filter would', async () => {
    let seed = 7;
    const noise = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const photo = png(100, 80, () => [noise(), noise(), noise()]);
    const decoded: DecodedImage = { width: 100, height: 80, channels: 3, data: new Uint8Array(0) };
    const read: number[] = [];
    const result = await importImages([{ name: 'p.png', bytes: photo }], {
      sizes: [32, 64],
      decode: async (bytes) => {
        decoded.data = decodePng(bytes).data;
        return decoded;
      },
      onProgress: (n) => read.push(n),
    });
    expect(read).toEqual([1]);
    const direct = centreCropResize(decoded, 32);
    const halved = result.pools.get(32)!;
    let maxDiff = 0;
    direct.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - halved[i]))));
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(Array.from(result.pools.get(64)!)).toEqual(Array.from(centreCropResize(decoded, 64)));
  });

  it('refuses oversize zips and zip bombs with a message, and skips tiny images', async () => {
    const bomb = zipSync({ 'big.png': new Uint8Array(2_000_000) }, { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    const bombed = await importImagesFromZip(bomb, { sizes: [32], maxUnzippedBytes: 1_000_000 });
    expect(bombed.count).toBe(0);
    expect(bombed.skipped).toEqual([
      { file: 'images.zip', reason: expect.stringMatching(/zip refused: .*unpack to .*zip bomb/) },
    ]);
    const big = await importImagesFromZip(bomb, { sizes: [32], maxZipBytes: 1000 });
    expect(big.skipped[0].reason).toMatch(/zip refused: it is .* MB, over the limit/);
    const junk = await importImagesFromZip(new Uint8Array([1, 2, 3, 4]), { sizes: [32] });
    expect(junk.skipped[0].reason).toMatch(/not a readable zip/);

    const tiny = await importImages([{ name: 'tiny.png', bytes: png(8, 30, () => RED) }], {
      sizes: [32],
    });
    expect(tiny.count).toBe(0);
    expect(tiny.skipped[0].reason).toMatch(/too small: it is 8x30 pixels/);
  });

  it('reads picked files lazily from Blobs, mixes zips and files, and caps the count', async () => {
    const zip = zipSync({ 'c.png': plain, 'd.png': plain });
    const files = [
      { name: 'photos/a.png', blob: new Blob([wide as Uint8Array<ArrayBuffer>]) },
      { name: 'photos/more.zip', blob: new Blob([zip]) },
      { name: 'photos/readme.md', blob: new Blob(['# hi']) },
    ];
    const all = await importImages(files, { sizes: [16] });
    expect(all.count).toBe(3);
    expect(all.skipped).toEqual([
      { file: 'photos/readme.md', reason: expect.stringMatching(/not an image file \(\.md\)/) },
    ]);
    // Past the cap a picked file is never read.
    const unread = { name: 'photos/z.png', blob: new Blob([]) };
    unread.blob.arrayBuffer = () => Promise.reject(new Error('read past the cap'));
    const capped = await importImages([...files, unread], { sizes: [16], maxImages: 1 });
    expect(capped.count).toBe(1);
    expect(capped.skipped).toContainEqual({
      file: 'photos/more.zip/c.png and 2 more',
      reason: 'left out: an import holds at most 1 images',
    });
  });
});
