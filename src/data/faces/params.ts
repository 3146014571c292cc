// Random choices that describe one procedural face, drawn from a seeded Rng (geometry in 64-pixel units).
import type { Rng } from '../../shared/rng';
import type { Rgb } from './raster';
import { mix, shade } from './raster';

/** Part names of the label map; a label value indexes this list. */
export const FACE_PARTS = [
  'background',
  'skin',
  'hair',
  'eyes',
  'brows',
  'nose',
  'mouth',
  'glasses',
] as const;
/** One part name of the label map. */
export type FacePart = (typeof FACE_PARTS)[number];
/** The label value of each part. */
export const PART = Object.fromEntries(FACE_PARTS.map((p, i) => [p, i])) as Record<
  FacePart,
  number
>;

/** Hair colour names; a face's hairColor attribute indexes this list. */
export const HAIR_COLORS: readonly string[] = ['black', 'brown', 'blonde', 'red', 'grey'];
const HAIR_RGB: readonly Rgb[] = [
  [28, 24, 24],
  [92, 58, 34],
  [214, 178, 108],
  [170, 72, 34],
  [168, 166, 164],
];
const HAIR_WEIGHTS = [0.28, 0.3, 0.17, 0.1, 0.15];

/** Hair styles the generator draws. */
export type HairStyle = 'bald' | 'short' | 'long' | 'bun' | 'fringe' | 'curly';
const STYLES: readonly HairStyle[] = ['bald', 'short', 'long', 'bun', 'fringe', 'curly'];
const STYLE_WEIGHTS = [0.1, 0.24, 0.24, 0.1, 0.17, 0.15];

// A light-to-dark ramp through real skin tones (Fitzpatrick-like), interpolated.
const SKIN: readonly Rgb[] = [
  [250, 221, 196],
  [238, 196, 160],
  [222, 170, 128],
  [196, 138, 96],
  [150, 98, 62],
  [104, 66, 42],
];
/** Eye colours; the face metric names them (its eyeColor attribute indexes this list). */
export const IRIS: readonly Rgb[] = [
  [92, 56, 30],
  [58, 36, 22],
  [64, 112, 168],
  [76, 124, 78],
  [132, 104, 56],
  [112, 124, 134],
];
const FRAMES: readonly Rgb[] = [
  [20, 20, 22],
  [70, 40, 24],
  [150, 30, 36],
  [30, 60, 140],
  [190, 160, 80],
  [150, 154, 160],
];

/** Everything needed to draw one face. */
export interface FaceSpec {
  bg: { a: Rgb; b: Rgb; kind: 0 | 1 | 2 | 3 };
  shirt: Rgb;
  skin: Rgb;
  head: { cx: number; cy: number; rx: number; ry: number; jaw: number };
  hair: {
    style: HairStyle;
    color: Rgb;
    index: number;
    t: number;
    line: number;
    tilt: number;
    len: number;
  };
  eyes: { y: number; dx: number; w: number; h: number; iris: Rgb; gx: number; gy: number };
  brows: { y: number; w: number; t: number; tilt: number; arch: number; color: Rgb };
  nose: { y: number; w: number; len: number };
  mouth: { y: number; w: number; smile: boolean; open: number; lip: Rgb };
  glasses: null | { kind: 0 | 1 | 2; color: Rgb; t: number; r: number };
  blush: number;
}

function pick(rng: Rng, weights: readonly number[]): number {
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function jitter(rng: Rng, c: Rgb, amount: number): Rgb {
  return [
    c[0] + rng.range(-amount, amount),
    c[1] + rng.range(-amount, amount),
    c[2] + rng.range(-amount, amount),
  ];
}

function mutedColor(rng: Rng): Rgb {
  const base: Rgb = [rng.range(20, 235), rng.range(20, 235), rng.range(20, 235)];
  const grey = (base[0] + base[1] + base[2]) / 3;
  return mix(base, [grey, grey, grey], rng.range(0.2, 0.7));
}

/** Draws a complete face description from the stream. */
export function sampleFaceSpec(rng: Rng): FaceSpec {
  const bgKind = rng.int(4) as 0 | 1 | 2 | 3;
  const bgA = mutedColor(rng);
  const bg = {
    a: bgA,
    b: rng.next() < 0.5 ? mutedColor(rng) : shade(bgA, rng.range(0.5, 0.85)),
    kind: bgKind,
  };
  const shirt = mutedColor(rng);

  const st = rng.next() * (SKIN.length - 1);
  const k = Math.min(SKIN.length - 2, Math.floor(st));
  const skin = jitter(rng, mix(SKIN[k], SKIN[k + 1], st - k), 8);

  // Face shape: round, oval or long, as a width/height ratio and how much the jaw narrows.
  const shape = rng.int(3);
  const ry = rng.range(18, 23);
  const ratio = [rng.range(0.86, 0.94), rng.range(0.77, 0.85), rng.range(0.7, 0.77)][shape];
  const jaw = [rng.range(0.05, 0.15), rng.range(0.15, 0.3), rng.range(0.2, 0.35)][shape];
  const head = { cx: 32 + rng.range(-3, 3), cy: 34.5 + rng.range(-2, 2), rx: ry * ratio, ry, jaw };

  const style = STYLES[pick(rng, STYLE_WEIGHTS)];
  const index = pick(rng, HAIR_WEIGHTS);
  const hairColor = jitter(rng, shade(HAIR_RGB[index], rng.range(0.85, 1.12)), 10);
  const hair = {
    style,
    color: hairColor,
    index,
    t: style === 'curly' ? rng.range(5, 8) : rng.range(1.5, 3.5),
    line: rng.range(0.45, 0.65),
    tilt: rng.range(-0.35, 0.35),
    len: rng.range(0.5, 1.5),
  };

  const ew = head.rx * rng.range(0.19, 0.25);
  const eyes = {
    y: head.cy + head.ry * rng.range(-0.08, 0.06),
    dx: head.rx * rng.range(0.38, 0.47),
    w: ew,
    h: ew * rng.range(0.55, 0.75),
    iris: jitter(rng, IRIS[rng.int(IRIS.length)], 10),
    gx: rng.range(-0.3, 0.3),
    gy: rng.range(-0.15, 0.15),
  };
  const browColor = index === 2 || index === 4 ? shade(hairColor, 0.7) : shade(hairColor, 0.85);
  const brows = {
    y: eyes.y - eyes.h - rng.range(2.2, 4),
    w: ew * rng.range(1.0, 1.3),
    t: rng.range(0.55, 1.1),
    tilt: rng.range(-0.2, 0.25),
    arch: rng.range(0.6, 2.2),
    color: browColor,
  };
  const mouthY = head.cy + head.ry * rng.range(0.46, 0.58);
  const nose = {
    y: eyes.y + (mouthY - eyes.y) * rng.range(0.5, 0.62),
    w: head.rx * rng.range(0.13, 0.2),
    len: rng.range(0.4, 0.8),
  };
  const open = rng.next() < 0.45 ? 0 : rng.range(0.15, 1);
  const mouth = {
    y: mouthY,
    w: head.rx * rng.range(0.26, 0.38),
    smile: rng.next() < 0.55,
    open,
    // Lips a little darker than the skin around them, whatever the tone.
    lip: jitter(rng, shade(mix(skin, [170, 60, 70], rng.range(0.35, 0.6)), 0.88), 8),
  };
  const glasses =
    rng.next() < 0.3
      ? {
          kind: rng.int(3) as 0 | 1 | 2,
          color: FRAMES[rng.int(FRAMES.length)],
          t: rng.range(0.55, 0.9),
          r: rng.range(1.35, 1.6),
        }
      : null;
  const blush = mouth.smile && rng.next() < 0.5 ? rng.range(0.15, 0.3) : 0;
  return { bg, shirt, skin, head, hair, eyes, brows, nose, mouth, glasses, blush };
}
