import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FACE_PARTS,
  HAIR_COLORS,
  facesToFloat,
  renderFace,
  renderFaces,
  type Face,
} from '../../src/data/faces';
import { Canvas, type Shape } from '../../src/data/faces/raster';

const N = 200;
const faces = renderFaces(0, N);
const part = (name: (typeof FACE_PARTS)[number]) => FACE_PARTS.indexOf(name);

/** Mean RGB of the pixels whose label is `label`, or null when there are none. */
function meanColor(f: Face, label: number): [number, number, number] | null {
  const sum = [0, 0, 0];
  let n = 0;
  f.labels.forEach((l, i) => {
    if (l !== label) return;
    for (let c = 0; c < 3; c++) sum[c] += f.image[i * 3 + c];
    n++;
  });
  return n === 0 ? null : [sum[0] / n, sum[1] / n, sum[2] / n];
}

const luma = (c: ArrayLike<number>) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

describe('renderFace', () => {
  it('gives the same face for the same seed and different faces for different seeds', () => {
    const a = renderFace(7);
    const b = renderFace(7);
    expect(b.image).toEqual(a.image);
    expect(b.labels).toEqual(a.labels);
    expect(b.attributes).toEqual(a.attributes);
    expect(a.image).toEqual(faces[7].image);
    for (const other of [faces[6], faces[8], renderFace(1007)]) {
      let differ = 0;
      for (let i = 0; i < a.image.length; i++)
        if (Math.abs(a.image[i] - other.image[i]) > 8) differ++;
      expect(differ / a.image.length).toBeGreaterThan(0.2);
    }
  });

  it('has the documented shapes and uses the full value range', () => {
    let lo = 255;
    let hi = 0;
    for (const f of faces) {
      expect(f.size).toBe(64);
      expect(f.image.length).toBe(64 * 64 * 3);
      expect(f.labels.length).toBe(64 * 64);
      expect(Math.max(...f.labels)).toBeLessThan(FACE_PARTS.length);
      let flo = 255;
      let fhi = 0;
      for (let i = 0; i < f.image.length; i += 3) {
        const y = luma([f.image[i], f.image[i + 1], f.image[i + 2]]);
        flo = Math.min(flo, y);
        fhi = Math.max(fhi, y);
      }
      // Every face has dark pupils and white sclera, so no face is flat.
      expect(fhi - flo).toBeGreaterThan(150);
      for (const v of f.image) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    expect(lo).toBeLessThan(15);
    expect(hi).toBeGreaterThan(240);
  });

  it('varies its attributes over 200 faces', () => {
    const a = faces.map((f) => f.attributes);
    const glasses = a.filter((x) => x.glasses).length / N;
    expect(glasses).toBeGreaterThan(0.1);
    expect(glasses).toBeLessThan(0.6);
    const smile = a.filter((x) => x.smile).length / N;
    expect(smile).toBeGreaterThan(0.25);
    expect(smile).toBeLessThan(0.85);
    const hair = a.filter((x) => x.hairVisible).length / N;
    expect(hair).toBeGreaterThan(0.6);
    expect(hair).toBeLessThan(1);
    const colours = new Set(a.map((x) => x.hairColor));
    expect(colours.size).toBe(HAIR_COLORS.length);
    for (let k = 0; k < HAIR_COLORS.length; k++) {
      expect(a.filter((x) => x.hairColor === k).length).toBeGreaterThan(N * 0.05);
    }
    const open = a.map((x) => x.mouthOpen);
    expect(Math.min(...open)).toBe(0);
    expect(Math.max(...open)).toBeGreaterThan(0.85);
    expect(open.filter((v) => v > 0.2 && v < 0.8).length).toBeGreaterThan(N * 0.15);
    const sizes = a.map((x) => x.faceSize);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeGreaterThan(6);
    expect(Math.min(...sizes)).toBeGreaterThan(30);
    expect(Math.max(...sizes)).toBeLessThan(56);
  });

  it('labels every part in most faces, and glasses exactly when the attribute says so', () => {
    for (const name of FACE_PARTS) {
      const p = part(name);
      const share = faces.filter((f) => f.labels.includes(p)).length / N;
      if (name === 'glasses') continue;
      expect(share, name).toBeGreaterThan(name === 'hair' ? 0.7 : 0.97);
    }
    for (const f of faces) {
      expect(f.labels.includes(part('glasses'))).toBe(f.attributes.glasses);
      expect(f.labels.includes(part('hair'))).toBe(f.attributes.hairVisible);
    }
  });

  it('has labels that agree with the image', () => {
    let skinLike = 0;
    let skinVsBg = 0;
    for (const f of faces) {
      const skin = meanColor(f, part('skin'))!;
      const bg = meanColor(f, part('background'))!;
      if (skin[0] > skin[1] && skin[1] > skin[2]) skinLike++;
      if (Math.abs(skin[0] - bg[0]) + Math.abs(skin[1] - bg[1]) + Math.abs(skin[2] - bg[2]) > 30) {
        skinVsBg++;
      }
      // Eyes hold the white sclera, the mouth is reddish, hair is not skin-coloured on average.
      let brightest = 0;
      f.labels.forEach((l, i) => {
        if (l === part('eyes'))
          brightest = Math.max(brightest, luma(f.image.subarray(i * 3, i * 3 + 3)));
      });
      expect(brightest).toBeGreaterThan(180);
      const mouth = meanColor(f, part('mouth'))!;
      expect(mouth[0]).toBeGreaterThan(mouth[2]);
      if (f.attributes.mouthOpen === 0) {
        expect(luma(mouth)).toBeLessThan(luma(skin));
      } else {
        // An open mouth shows white teeth but also a dark inside.
        let darkest = 255;
        f.labels.forEach((l, i) => {
          if (l === part('mouth'))
            darkest = Math.min(darkest, luma(f.image.subarray(i * 3, i * 3 + 3)));
        });
        expect(darkest).toBeLessThan(luma(skin) - 20);
      }
    }
    expect(skinLike / N).toBeGreaterThan(0.97);
    expect(skinVsBg / N).toBeGreaterThan(0.9);

    // Hair colour classes are visibly different: black hair is dark, blonde and grey are light.
    const hairLuma = (k: number) => {
      const ls = faces
        .filter((f) => f.attributes.hairVisible && f.attributes.hairColor === k)
        .map((f) => luma(meanColor(f, part('hair'))!));
      return ls.reduce((s, v) => s + v, 0) / ls.length;
    };
    expect(hairLuma(HAIR_COLORS.indexOf('black'))).toBeLessThan(50);
    expect(hairLuma(HAIR_COLORS.indexOf('blonde'))).toBeGreaterThan(130);
    expect(hairLuma(HAIR_COLORS.indexOf('grey'))).toBeGreaterThan(120);
    const red = faces.filter((f) => f.attributes.hairVisible && f.attributes.hairColor === 3);
    for (const f of red) {
      const c = meanColor(f, part('hair'))!;
      expect(c[0]).toBeGreaterThan(c[1] * 1.5);
    }
  });

  it('draws the same face at 32, 64 and 128 pixels', () => {
    for (const seed of [3, 11, 42]) {
      const mid = renderFace(seed, 64);
      const share = (f: Face, p: number) =>
        f.labels.filter((l) => l === p).length / f.labels.length;
      for (const size of [32, 128]) {
        const f = renderFace(seed, size);
        expect(f.image.length).toBe(size * size * 3);
        expect(f.attributes.faceSize).toBeCloseTo((mid.attributes.faceSize * size) / 64, 6);
        for (const p of [part('background'), part('skin'), part('hair')]) {
          expect(Math.abs(share(f, p) - share(mid, p))).toBeLessThan(0.03);
        }
      }
    }
    expect(() => renderFace(1, 48)).toThrow(/size must be one of 32, 64, 128/);
  });

  it('renders 64x64 faces quickly (figure printed)', () => {
    for (let i = 0; i < 50; i++) renderFace(5000 + i);
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) renderFace(6000 + i);
    const ms = (performance.now() - t0) / n;
    console.log(`renderFace 64x64: ${ms.toFixed(2)} ms per face`);
    // A loose bound so a shared CI machine does not flake, but a 10x regression fails.
    expect(ms).toBeLessThan(20);
  });
});

describe('block culling', () => {
  afterEach(() => vi.restoreAllMocks());

  it('changes no pixel and no label compared with evaluating every pixel', () => {
    const seeds = Array.from({ length: 24 }, (_, i) => i * 37);
    const sizeOf = (s: number) => (s % 6 === 1 ? 128 : 64);
    const culled = seeds.map((s) => renderFace(s, sizeOf(s)));
    const draw = Canvas.prototype.draw;
    vi.spyOn(Canvas.prototype, 'draw').mockImplementation(function (this: Canvas, shape: Shape) {
      draw.call(this, { ...shape, lipschitz: undefined });
    });
    seeds.forEach((s, k) => {
      const exact = renderFace(s, sizeOf(s));
      expect(exact.image).toEqual(culled[k].image);
      expect(exact.labels).toEqual(culled[k].labels);
    });
  });
});

describe('facesToFloat', () => {
  it('maps bytes to [-1, 1] in [count, size, size, 3] order', () => {
    const batch = faces.slice(0, 3);
    const x = facesToFloat(batch);
    expect(x.length).toBe(3 * 64 * 64 * 3);
    for (const k of [0, 1, 2]) {
      for (const i of [0, 1, 5000, 12287]) {
        expect(x[k * 12288 + i]).toBeCloseTo(batch[k].image[i] / 127.5 - 1, 6);
      }
    }
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    expect(facesToFloat([]).length).toBe(0);
  });
});
