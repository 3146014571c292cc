// Draws the facial features of a FaceSpec: eyes and brows, nose, mouth and glasses.
import type { FaceSpec } from './params';
import { PART } from './params';
import type { Canvas, Sdf } from './raster';
import {
  arc,
  around,
  capsule,
  ellipse,
  halfPlane,
  intersect,
  mix,
  outline,
  roundBox,
  shade,
  union,
} from './raster';

const NONE = -1;

/** Eyes (sclera, iris, pupil, highlight, lid) and the brows above them. */
export function drawEyes(c: Canvas, s: FaceSpec): void {
  const { head: h, eyes: e, brows: b } = s;
  for (const side of [-1, 1]) {
    const ex = h.cx + side * e.dx;
    const box = around(ex, e.y, e.w + 2);
    const sclera = ellipse(ex, e.y, e.w, e.h);
    const ix = ex + e.gx * e.w * 0.5;
    const iy = e.y + e.gy * e.h;
    const ir = e.h * 0.92;
    c.draw({ sdf: sclera, box, color: [244, 242, 236], label: PART.eyes });
    c.draw({
      sdf: intersect(ellipse(ix, iy, ir, ir), sclera),
      box,
      color: e.iris,
      label: PART.eyes,
    });
    c.draw({
      sdf: intersect(ellipse(ix, iy, ir * 0.5, ir * 0.5), sclera),
      box,
      color: [14, 10, 10],
      label: PART.eyes,
    });
    const hr = Math.max(0.45, ir * 0.25);
    c.draw({
      sdf: ellipse(ix - ir * 0.35, iy - ir * 0.35, hr, hr),
      box,
      color: [255, 255, 255],
      label: PART.eyes,
      alpha: 0.9,
    });
    c.draw({
      sdf: arc(ex, e.y, e.w + 0.2, e.h + 0.2, -1, 0.5),
      box,
      color: [34, 22, 20],
      label: PART.eyes,
    });

    const bx = ex + side * 0.4;
    const brow = arc(bx, b.y + b.arch, b.w, b.arch, -1, b.t, side * b.tilt);
    c.draw({
      sdf: brow,
      box: around(bx, b.y + b.arch, b.w + 3),
      color: b.color,
      label: PART.brows,
    });
  }
}

/** A shaded nose with a highlight and two nostrils. */
export function drawNose(c: Canvas, s: FaceSpec): void {
  const { head: h, eyes: e, nose: n, skin } = s;
  const nx = h.cx;
  const top = e.y + 1 + (1 - n.len) * (n.y - e.y) * 0.6;
  const box = around(nx, (top + n.y) / 2, n.w + 2, (n.y - top) / 2 + n.w + 2);
  const bridge = capsule(nx + n.w * 0.25, top, nx + n.w * 0.35, n.y - n.w * 0.5, n.w * 0.26);
  const tip = ellipse(nx, n.y, n.w, n.w * 0.72);
  c.draw({
    sdf: union(bridge, tip),
    box,
    color: shade(skin, 0.88),
    label: PART.nose,
    feather: 1.5,
  });
  c.draw({
    sdf: ellipse(nx - n.w * 0.2, n.y - n.w * 0.2, n.w * 0.45, n.w * 0.3),
    box,
    color: mix(skin, [255, 255, 255], 0.18),
    label: NONE,
    feather: 1.5,
  });
  for (const side of [-1, 1]) {
    const sdf = ellipse(nx + side * n.w * 0.5, n.y + n.w * 0.38, n.w * 0.3, n.w * 0.2);
    c.draw({ sdf, box, color: shade(skin, 0.5), label: PART.nose });
  }
}

/** A closed (neutral or smiling) or open mouth with teeth and tongue. */
export function drawMouth(c: Canvas, s: FaceSpec): void {
  const m = s.mouth;
  const mx = s.head.cx;
  const box = around(mx, m.y, m.w + 2, m.w + 3);
  if (m.open === 0) {
    const curve = m.smile ? 1.2 + m.w * 0.15 : 0;
    const line = m.smile
      ? arc(mx, m.y - curve, m.w, curve, 1, 0.8)
      : capsule(mx - m.w * 0.85, m.y, mx + m.w * 0.85, m.y, 0.8);
    c.draw({ sdf: line, box, color: shade(m.lip, 0.8), label: PART.mouth });
    return;
  }
  const oh = 1.4 + m.open * m.w * 0.75;
  const top = m.smile ? m.y - oh * 0.25 : m.y - oh * 0.6;
  const shape = m.smile
    ? intersect(ellipse(mx, top, m.w, oh), halfPlane(top, 1))
    : ellipse(mx, m.y, m.w * 0.5 + oh * 0.15, oh * 0.6);
  const bottom = m.smile ? top + oh : m.y + oh * 0.6;
  c.draw({ sdf: shape, box, color: [76, 20, 30], label: PART.mouth });
  // Teeth and tongue only where the opening is tall enough to show them around a dark gap.
  if (oh > 3.2) {
    c.draw({
      sdf: intersect(shape, halfPlane(top + oh * 0.25, -1)),
      box,
      color: [236, 232, 224],
      label: PART.mouth,
    });
    const tongue = intersect(shape, ellipse(mx, bottom, m.w * 0.45, oh * 0.35));
    c.draw({ sdf: tongue, box, color: [196, 84, 96], label: PART.mouth });
  }
  // Lips sit outside the opening so that even a slightly open mouth shows its dark inside.
  const lips: Sdf = (x, y) => {
    const d = shape(x, y);
    return Math.max(d - 0.9, -d);
  };
  c.draw({ sdf: lips, box, color: m.lip, label: PART.mouth });
}

/** Glasses frames (round, rectangular or oval) with bridge, arms and a faint lens tint. */
export function drawGlasses(c: Canvas, s: FaceSpec, g: NonNullable<FaceSpec['glasses']>): void {
  const { head: h, eyes: e } = s;
  const rw = e.w * g.r;
  const rh = g.kind === 0 ? Math.min(rw, e.w * 1.25) : rw * 0.72;
  const box = around(h.cx, e.y, h.rx + 2, rh + 3);
  for (const side of [-1, 1]) {
    const ex = h.cx + side * e.dx;
    const lens = g.kind === 1 ? roundBox(ex, e.y, rw, rh, 1.6) : ellipse(ex, e.y, rw, rh);
    c.draw({ sdf: lens, box, color: [255, 255, 255], label: NONE, alpha: 0.1 });
    c.draw({ sdf: outline(lens, g.t), box, color: g.color, label: PART.glasses });
    const arm = capsule(
      ex + side * rw,
      e.y - rh * 0.3,
      h.cx + side * h.rx * 0.98,
      e.y - rh * 0.1,
      g.t * 0.85,
    );
    c.draw({ sdf: arm, box, color: g.color, label: PART.glasses });
  }
  const bridge = arc(h.cx, e.y - rh * 0.15, Math.max(0.8, e.dx - rw), 1.2, -1, g.t * 0.85);
  c.draw({ sdf: bridge, box, color: g.color, label: PART.glasses });
}
