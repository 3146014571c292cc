// Signed-distance shapes and an analytic-coverage rasteriser for the procedural faces.
// Geometry lives in "units" (1 unit = 1 pixel of a 64x64 face) so every size draws the same face.

/** A signed distance in units: negative inside the shape, positive outside. */
export type Sdf = (x: number, y: number) => number;
/** An RGB colour with channels in 0..255. */
export type Rgb = readonly [number, number, number];
/** A per-position colour, written into `out` as RGB in 0..255. */
export type Paint = (x: number, y: number, out: Float32Array) => void;

/** A shape to draw: its distance field, a conservative bounding box in units, and how to colour it. */
export interface Shape {
  sdf: Sdf;
  box: readonly [number, number, number, number];
  color: Rgb | Paint;
  /** Index into FACE_PARTS written where the pixel centre is inside; -1 leaves labels alone. */
  label: number;
  alpha?: number;
  /** Width of the soft edge in units (default: one pixel). */
  feather?: number;
  /** A bound on how fast sdf changes per unit moved; set on big shapes to skip whole blocks. */
  lipschitz?: number;
}

const B = 4;

/** An RGB float canvas with a label map, `[size, size, 3]` and `[size, size]`. */
export class Canvas {
  readonly rgb: Float32Array;
  readonly labels: Uint8Array;
  readonly scale: number;
  private readonly tmp = new Float32Array(3);

  constructor(readonly size: number) {
    this.rgb = new Float32Array(size * size * 3);
    this.labels = new Uint8Array(size * size);
    this.scale = size / 64;
  }

  /** Paints every pixel (the background) without touching labels. */
  fill(paint: Paint): void {
    const { size, scale, rgb, tmp } = this;
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        paint((px + 0.5) / scale, (py + 0.5) / scale, tmp);
        const i = (py * size + px) * 3;
        rgb[i] = tmp[0];
        rgb[i + 1] = tmp[1];
        rgb[i + 2] = tmp[2];
      }
    }
  }

  /** Composites a shape over the canvas with coverage from its distance at each pixel centre. */
  draw(shape: Shape): void {
    const { size, scale, rgb, labels, tmp } = this;
    const alpha = shape.alpha ?? 1;
    // Coverage ramps over one output pixel (or the feather), which box-filters straight edges exactly.
    const ramp = Math.max(1, (shape.feather ?? 0) * scale);
    const [bx0, by0, bx1, by1] = shape.box;
    const x0 = Math.max(0, Math.floor(bx0 * scale - ramp));
    const y0 = Math.max(0, Math.floor(by0 * scale - ramp));
    const x1 = Math.min(size - 1, Math.ceil(bx1 * scale + ramp));
    const y1 = Math.min(size - 1, Math.ceil(by1 * scale + ramp));
    const flat = typeof shape.color === 'function' ? null : shape.color;
    const paint = typeof shape.color === 'function' ? shape.color : null;
    const { sdf, label } = shape;
    // Culling in blocks of B x B pixels: one distance at the block centre decides, through the
    // shape's Lipschitz bound, whether the block is wholly outside (skip) or wholly inside (no more
    // distance evaluations). Without a bound every pixel is evaluated.
    const lip = shape.lipschitz ?? Infinity;
    const half = ((B - 1) / 2) * Math.SQRT2 * lip + ramp * 0.5 + 0.01;
    for (let by = y0; by <= y1; by += B) {
      const ey = Math.min(y1, by + B - 1);
      for (let bx = x0; bx <= x1; bx += B) {
        const ex = Math.min(x1, bx + B - 1);
        const dc = lip === Infinity ? 0 : sdf((bx + B / 2) / scale, (by + B / 2) / scale) * scale;
        if (dc > half) continue;
        const inside = dc < -half;
        for (let py = by; py <= ey; py++) {
          const uy = (py + 0.5) / scale;
          for (let px = bx; px <= ex; px++) {
            const ux = (px + 0.5) / scale;
            const d = inside ? -1 : sdf(ux, uy) * scale;
            const cov = 0.5 - d / ramp;
            if (cov <= 0) continue;
            const a = (cov >= 1 ? 1 : cov) * alpha;
            const p = py * size + px;
            const i = p * 3;
            if (paint) paint(ux, uy, tmp);
            const c = flat ?? tmp;
            rgb[i] += (c[0] - rgb[i]) * a;
            rgb[i + 1] += (c[1] - rgb[i + 1]) * a;
            rgb[i + 2] += (c[2] - rgb[i + 2]) * a;
            if (label >= 0 && d < 0) labels[p] = label;
          }
        }
      }
    }
  }
}

/** Distance to an ellipse, rotated by `angle` radians (a close approximation near the edge). */
export function ellipse(cx: number, cy: number, rx: number, ry: number, angle = 0): Sdf {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const irx = 1 / rx;
  const iry = 1 / ry;
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const px = dx * c + dy * s;
    const py = dy * c - dx * s;
    const ax = px * irx;
    const ay = py * iry;
    const bx = ax * irx;
    const by = ay * iry;
    const k0 = Math.sqrt(ax * ax + ay * ay);
    const k1 = Math.sqrt(bx * bx + by * by);
    return k1 === 0 ? -Math.min(rx, ry) : (k0 * (k0 - 1)) / k1;
  };
}

/** Distance to a segment from (ax, ay) to (bx, by) thickened by radius r. */
export function capsule(ax: number, ay: number, bx: number, by: number, r: number): Sdf {
  const ex = bx - ax;
  const ey = by - ay;
  const len2 = ex * ex + ey * ey || 1;
  return (x, y) => {
    const t = Math.min(1, Math.max(0, ((x - ax) * ex + (y - ay) * ey) / len2));
    const dx = x - ax - ex * t;
    const dy = y - ay - ey * t;
    return Math.sqrt(dx * dx + dy * dy) - r;
  };
}

/** Distance to an axis-aligned box of half-size (hw, hh) with corner radius r. */
export function roundBox(cx: number, cy: number, hw: number, hh: number, r: number): Sdf {
  return (x, y) => {
    const qx = Math.abs(x - cx) - hw + r;
    const qy = Math.abs(y - cy) - hh + r;
    const mx = qx > 0 ? qx : 0;
    const my = qy > 0 ? qy : 0;
    return Math.sqrt(mx * mx + my * my) + Math.min(Math.max(qx, qy), 0) - r;
  };
}

/** A stroke of half-thickness t along the upper (side -1) or lower (side 1) half of an ellipse. */
export function arc(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  side: 1 | -1,
  t: number,
  angle = 0,
): Sdf {
  const e = ellipse(0, 0, rx, ry);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const px = dx * c + dy * s;
    const py = dy * c - dx * s;
    if (py * side >= 0) return Math.abs(e(px, py)) - t;
    const ex = Math.abs(px) - rx;
    return Math.sqrt(ex * ex + py * py) - t;
  };
}

/** The part of a inside every other shape. */
export const intersect =
  (...fs: Sdf[]): Sdf =>
  (x, y) => {
    let d = -Infinity;
    for (let i = 0; i < fs.length; i++) {
      const v = fs[i](x, y);
      if (v > d) d = v;
    }
    return d;
  };

/** Every point inside any shape. */
export const union =
  (...fs: Sdf[]): Sdf =>
  (x, y) => {
    let d = Infinity;
    for (let i = 0; i < fs.length; i++) {
      const v = fs[i](x, y);
      if (v < d) d = v;
    }
    return d;
  };

/** The points of a that are not in b. */
export const subtract =
  (a: Sdf, b: Sdf): Sdf =>
  (x, y) =>
    Math.max(a(x, y), -b(x, y));

/** An outline of half-thickness t along the edge of a shape. */
export const outline =
  (f: Sdf, t: number): Sdf =>
  (x, y) =>
    Math.abs(f(x, y)) - t;

/** The half-plane y < y0 (side -1) or y > y0 (side 1). */
export const halfPlane =
  (y0: number, side: 1 | -1): Sdf =>
  (_x, y) =>
    (y0 - y) * side;

/** A box around a centre with half-extents, for Shape.box. */
export function around(
  cx: number,
  cy: number,
  hx: number,
  hy = hx,
): [number, number, number, number] {
  return [cx - hx, cy - hy, cx + hx, cy + hy];
}

/** Mixes two colours: t = 0 gives a, t = 1 gives b. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Multiplies a colour's channels by k. */
export function shade(a: Rgb, k: number): Rgb {
  return [a[0] * k, a[1] * k, a[2] * k];
}
