// Draws a FaceSpec onto a Canvas back to front (background, hair, head), writing part labels as it goes.
import { drawEyes, drawGlasses, drawMouth, drawNose } from './features';
import type { FaceSpec } from './params';
import { PART } from './params';
import type { Canvas, Paint, Rgb, Sdf } from './raster';
import { around, ellipse, halfPlane, intersect, roundBox, shade, subtract, union } from './raster';

const NONE = -1;

function backgroundPaint(bg: FaceSpec['bg']): Paint {
  const { a, b, kind } = bg;
  return (x, y, out) => {
    const t =
      kind === 0
        ? 0
        : kind === 1
          ? y / 64
          : kind === 2
            ? (x + y) / 128
            : Math.min(1, Math.sqrt((x - 32) ** 2 + (y - 26) ** 2) / 40);
    out[0] = a[0] + (b[0] - a[0]) * t;
    out[1] = a[1] + (b[1] - a[1]) * t;
    out[2] = a[2] + (b[2] - a[2]) * t;
  };
}

function hairPaint(color: Rgb, cx: number, top: number, phase: number, curly: boolean): Paint {
  return (x, y, out) => {
    // Strands fanning out from the crown (or curls) plus a sheen near the top read as hair, not a cap.
    const dy = y - top - 5;
    let strands: number;
    if (curly) {
      // Curls: a brick-offset grid of small bumps, each lit in the middle and dark at its rim.
      const row = Math.floor(y / 3);
      const u = x / 3 + (row & 1) * 0.5 - Math.floor(x / 3 + (row & 1) * 0.5) - 0.5;
      const v = y / 3 - row - 0.5;
      strands = 0.07 - 0.35 * (u * u + v * v);
    } else {
      strands = 0.07 * Math.sin(((x - cx) / (y - top + 6)) * 14 + phase);
    }
    const k = 0.93 + strands + 0.16 * Math.exp(-dy * dy * 0.05);
    out[0] = color[0] * k;
    out[1] = color[1] * k;
    out[2] = color[2] * k;
  };
}

function skinPaint(skin: Rgb, h: FaceSpec['head']): Paint {
  return (x, y, out) => {
    const u = (x - h.cx) / h.rx;
    const v = (y - h.cy + h.ry * 0.15) / h.ry;
    const k = 1.05 - 0.16 * Math.min(1, u * u + v * v);
    out[0] = skin[0] * k;
    out[1] = skin[1] * k;
    out[2] = skin[2] * k;
  };
}

/** The head outline: an ellipse whose lower half narrows towards the chin. */
function headSdf(h: FaceSpec['head']): Sdf {
  const base = ellipse(h.cx, h.cy, h.rx, h.ry);
  return (x, y) => {
    const t = Math.max(0, (y - h.cy) / h.ry);
    const k = 1 - h.jaw * t * t;
    return base(h.cx + (x - h.cx) / k, y) * Math.sqrt(k);
  };
}

type Box = [number, number, number, number];
interface HairShapes {
  back: Sdf | null;
  backBox: Box;
  front: Sdf;
  frontBox: Box;
}

/** Hair shapes drawn behind the head and over it, per style. */
function hairShapes(s: FaceSpec): HairShapes | null {
  const { head: h, hair } = s;
  if (hair.style === 'bald') return null;
  const t = hair.t;
  // Short styles get extra volume on top; len also sets how low the sides reach.
  const lift = hair.style === 'short' || hair.style === 'fringe' ? t * hair.len * 0.5 : 0;
  const capY = h.cy - t * 0.45 - 0.5 - lift;
  let cap = ellipse(h.cx, capY, h.rx + t, h.ry + t * 0.9 + lift);
  const capBox = around(h.cx, capY, h.rx + t + 1, h.ry + t + lift + 1);
  let backBox = capBox;
  if (hair.style === 'curly') {
    const plain = cap;
    cap = (x, y) => plain(x, y) + 0.9 * Math.sin(Math.atan2(y - h.cy, x - h.cx) * 13);
  }
  const hairlineY = h.cy - h.ry * (hair.style === 'bun' ? 0.72 : hair.line);
  const fcy = h.cy + h.ry * 0.3;
  const window = ellipse(h.cx, fcy, h.rx * 0.93, fcy - hairlineY, hair.tilt * 0.25);
  const notFace: Sdf = (x, y) => -window(x, y);
  const sides = halfPlane(s.eyes.y + (hair.len - 1.1) * 5, -1);
  let front: Sdf;
  if (hair.style === 'fringe') {
    const fy = s.brows.y - s.brows.arch - 1.2;
    const slope = hair.tilt * 0.9;
    const fringe: Sdf = (x, y) => y - fy - slope * (x - h.cx) - 0.9 * Math.abs(Math.sin(x * 0.9));
    front = intersect(cap, union(notFace, fringe), halfPlane(h.cy + h.ry * 0.3, -1));
  } else if (hair.style === 'long') {
    front = intersect(cap, notFace, halfPlane(h.cy + h.ry * 0.3, -1));
  } else {
    front = intersect(cap, notFace, sides);
  }
  let back: Sdf | null = null;
  if (hair.style === 'long' || (hair.style === 'fringe' && hair.len > 1)) {
    const bottom = h.cy + h.ry * (0.5 + hair.len * 0.6);
    const hw = h.rx + t + 1.5;
    back = union(cap, roundBox(h.cx, (h.cy + bottom) / 2, hw, (bottom - h.cy) / 2 + 3, 4));
    backBox = [capBox[0], capBox[1], capBox[2], bottom + 3];
  } else if (hair.style === 'curly') {
    back = (x, y) => cap(x, y) - 1.5;
    backBox = around(h.cx, capY, h.rx + t + 3, h.ry + t + 3);
  } else if (hair.style === 'bun') {
    const r = 4.5 + hair.len * 2;
    const by = h.cy - h.ry - t - r * 0.55;
    back = ellipse(h.cx + hair.tilt * 8, by, r, r * 0.9);
    backBox = around(h.cx + hair.tilt * 8, by, r + 1);
  }
  return { back, backBox, front, frontBox: capBox };
}

/** Paints the whole face described by `s` onto `c`. */
export function drawFace(c: Canvas, s: FaceSpec): void {
  const { head: h, skin, eyes: e } = s;
  c.fill(backgroundPaint(s.bg));

  const hair = hairShapes(s);
  const top = h.cy - h.ry - s.hair.t;
  const hp = hairPaint(
    s.hair.color,
    h.cx + s.hair.tilt * 6,
    top,
    s.hair.index * 1.3,
    s.hair.style === 'curly',
  );
  if (hair?.back)
    c.draw({
      sdf: hair.back,
      box: hair.backBox,
      color: shade(s.hair.color, 0.82),
      label: PART.hair,
      lipschitz: 2,
    });

  const neckW = h.rx * 0.42;
  const neckY = h.cy + h.ry + 8;
  const neck = roundBox(h.cx, neckY, neckW, 16, 2);
  c.draw({
    sdf: neck,
    box: around(h.cx, neckY, neckW, 16),
    color: shade(skin, 0.84),
    label: PART.skin,
    lipschitz: 2,
  });
  const shoulders = ellipse(h.cx, 72, h.rx * 1.9, 14);
  const neckline = ellipse(h.cx, 58, neckW * 1.15, 3.5);
  const shirtBox = around(h.cx, 72, h.rx * 1.9, 14);
  c.draw({
    sdf: subtract(shoulders, neckline),
    box: shirtBox,
    color: s.shirt,
    label: PART.background,
    lipschitz: 2,
  });

  for (const side of [-1, 1]) {
    const ex = h.cx + side * h.rx * 0.96;
    const ey = e.y + 2.5;
    c.draw({
      sdf: ellipse(ex, ey, 2.6, 4.4),
      box: around(ex, ey, 5),
      color: shade(skin, 0.93),
      label: PART.skin,
    });
    c.draw({
      sdf: ellipse(ex + side * 0.3, ey, 1.1, 2.4),
      box: around(ex, ey, 3),
      color: shade(skin, 0.78),
      label: PART.skin,
    });
  }
  const head = headSdf(h);
  c.draw({
    sdf: head,
    box: around(h.cx, h.cy, h.rx + 1, h.ry + 1),
    color: skinPaint(skin, h),
    label: PART.skin,
    lipschitz: 2,
  });

  if (hair) {
    const { front, frontBox: fb } = hair;
    // A soft shadow under the hairline gives the hair some depth over the forehead.
    const shadow: Sdf = (x, y) => front(x, y - 1.2);
    const shadowBox: Box = [fb[0], fb[1], fb[2], fb[3] + 1.5];
    c.draw({
      sdf: shadow,
      box: shadowBox,
      color: [0, 0, 0],
      label: NONE,
      alpha: 0.18,
      feather: 2,
      lipschitz: 2,
    });
    c.draw({ sdf: front, box: fb, color: hp, label: PART.hair, lipschitz: 2 });
  }

  if (s.blush > 0) {
    for (const side of [-1, 1]) {
      const bx = h.cx + side * e.dx * 1.05;
      const by = e.y + e.h + 3.2;
      const sdf = ellipse(bx, by, e.w * 0.9, e.w * 0.55);
      c.draw({
        sdf,
        box: around(bx, by, 8),
        color: [232, 110, 120],
        label: NONE,
        alpha: s.blush,
        feather: 3,
      });
    }
  }
  drawEyes(c, s);
  drawNose(c, s);
  drawMouth(c, s);
  if (s.glasses) drawGlasses(c, s, s.glasses);
}
