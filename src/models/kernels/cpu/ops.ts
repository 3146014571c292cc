// Faster cpu-backend kernels for the non-conv ops that dominated a U-Net training step here
// (tfjs 4.22, batch 8 at 64x64): SplitV (the gradient of a channel concatenate, ≈2 s per skip
// connection, since it slices through TensorBuffer index maths), MaxPoolGrad, Add/Sub/Multiply/
// RealDiv (tfjs converts every broadcast element index to a location and back, and calls an
// operator closure with a modulo per element even for equal shapes), Sum over non-trailing axes
// (tfjs transposes first), Tile, and Softmax (built from those broadcasting ops). Each fast path
// covers float32 only and hands every other case to the stock kernel, so the results and dtypes
// elsewhere stay those of tfjs.
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { FastKernel } from '../types';
import { cpuTensor, cpuValues } from './backend';

type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

// One loop per operator, so V8 compiles each without a polymorphic call per element.
function run(
  op: BinaryOp,
  out: Float32Array,
  o: number,
  av: Float32Array,
  ai: number,
  aStep: number,
  bv: Float32Array,
  bi: number,
  bStep: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = av[ai + j * aStep] + bv[bi + j * bStep];
      break;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = av[ai + j * aStep] - bv[bi + j * bStep];
      break;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = av[ai + j * aStep] * bv[bi + j * bStep];
      break;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = av[ai + j * aStep] / bv[bi + j * bStep];
      break;
  }
}

function binary(op: BinaryOp): FastKernel {
  return ({ inputs, backend }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const av = cpuValues(backend, a);
    const bv = cpuValues(backend, b);
    if (!av || !bv) return null;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const rank = shape.length;
    const out = new Float32Array(shape.reduce((x, y) => x * y, 1));
    if (rank === 0 || (av.length === out.length && bv.length === out.length)) {
      run(op, out, 0, av, 0, 1, bv, 0, 1, out.length);
      return cpuTensor(backend, shape, out);
    }
    const strides = (s: number[]): number[] => {
      const st = new Array<number>(rank).fill(0);
      let step = 1;
      for (let d = s.length - 1; d >= 0; d--) {
        st[d + rank - s.length] = s[d] === 1 ? 0 : step;
        step *= s[d];
      }
      return st;
    };
    const as = strides(a.shape);
    const bs = strides(b.shape);
    const inner = shape[rank - 1];
    const idx = new Array<number>(rank).fill(0);
    let ai = 0;
    let bi = 0;
    for (let o = 0; o < out.length; o += inner) {
      run(op, out, o, av, ai, as[rank - 1], bv, bi, bs[rank - 1], inner);
      // Odometer over the outer dimensions, moving both source offsets incrementally.
      for (let d = rank - 2; d >= 0; d--) {
        idx[d]++;
        ai += as[d];
        bi += bs[d];
        if (idx[d] < shape[d]) break;
        ai -= as[d] * shape[d];
        bi -= bs[d] * shape[d];
        idx[d] = 0;
      }
    }
    return cpuTensor(backend, shape, out);
  };
}

const sum: FastKernel = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = cpuValues(backend, x);
  if (!xv) return null;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(attrs?.axis as number | number[], x.shape);
  const reduced = new Set(axes);
  // Reductions over trailing axes only are contiguous and already fast in tfjs.
  if (axes.every((a) => a >= rank - axes.length)) return null;
  const outStrides = new Array<number>(rank).fill(0);
  let step = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (reduced.has(d)) continue;
    outStrides[d] = step;
    step *= x.shape[d];
  }
  const acc = new Float64Array(step);
  const inner = x.shape[rank - 1];
  const innerStride = outStrides[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let oi = 0;
  for (let i = 0; i < xv.length; i += inner) {
    for (let j = 0; j < inner; j++) acc[oi + j * innerStride] += xv[i + j];
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      oi += outStrides[d];
      if (idx[d] < x.shape[d]) break;
      oi -= outStrides[d] * x.shape[d];
      idx[d] = 0;
    }
  }
  const keep = Boolean(attrs?.keepDims);
  const shape = x.shape.flatMap((d, i) => (reduced.has(i) ? (keep ? [1] : []) : [d]));
  return cpuTensor(backend, shape, Float32Array.from(acc));
};

const splitV: FastKernel = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = cpuValues(backend, x);
  if (!xv) return null;
  const axis = tf.util.parseAxisParam(attrs?.axis as number, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(
    x as unknown as tf.Tensor,
    attrs?.numOrSizeSplits as number | number[],
    axis,
  );
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const rowLen = x.shape[axis] * inner;
  let start = 0;
  return sizes.map((s) => {
    const len = s * inner;
    const out = new Float32Array(outer * len);
    for (let o = 0; o < outer; o++) {
      out.set(xv.subarray(o * rowLen + start, o * rowLen + start + len), o * len);
    }
    start += len;
    const shape = x.shape.slice();
    shape[axis] = s;
    return cpuTensor(backend, shape, out);
  });
};

const maxPoolGrad: FastKernel = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const dyv = cpuValues(backend, dy);
  const xv = cpuValues(backend, input);
  const { filterSize, strides, pad } = (attrs ?? {}) as {
    filterSize?: number | number[];
    strides?: number | number[];
    pad?: unknown;
  };
  const two = (v: unknown): boolean => v === 2 || (Array.isArray(v) && v[0] === 2 && v[1] === 2);
  if (!dyv || !xv || !two(filterSize) || !two(strides) || (pad !== 'valid' && pad !== 0))
    return null;
  const [batch, inH, inW, ch] = input.shape;
  const [, outH, outW] = dy.shape;
  if (outH !== Math.floor(inH / 2) || outW !== Math.floor(inW / 2)) return null;
  const dx = new Float32Array(xv.length);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const o = ((b * outH + oy) * outW + ox) * ch;
        const p00 = ((b * inH + 2 * oy) * inW + 2 * ox) * ch;
        const p01 = p00 + ch;
        const p10 = p00 + inW * ch;
        const p11 = p10 + ch;
        for (let c = 0; c < ch; c++) {
          // The first maximum in row-major window order wins ties, as in tfjs' maxPoolPositions.
          let at = p00 + c;
          let best = xv[at];
          for (const q of [p01 + c, p10 + c, p11 + c]) {
            if (xv[q] > best) {
              at = q;
              best = xv[q];
            }
          }
          dx[at] += dyv[o + c];
        }
      }
    }
  }
  return cpuTensor(backend, input.shape, dx);
};

const softmax: FastKernel = ({ inputs, backend, attrs }) => {
  const { logits } = inputs as { logits: TensorInfo };
  const xv = cpuValues(backend, logits);
  const rank = logits.shape.length;
  const dim = attrs?.dim as number | undefined;
  if (!xv || rank === 0 || (dim !== undefined && dim !== -1 && dim !== rank - 1)) return null;
  const n = logits.shape[rank - 1];
  const out = new Float32Array(xv.length);
  for (let r = 0; r < xv.length; r += n) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, xv[r + j]);
    let total = 0;
    for (let j = 0; j < n; j++) total += out[r + j] = Math.exp(xv[r + j] - max);
    for (let j = 0; j < n; j++) out[r + j] /= total;
  }
  return cpuTensor(backend, logits.shape, out);
};

const tile: FastKernel = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const xv = cpuValues(backend, x);
  const reps = attrs?.reps as number[] | undefined;
  const rank = x.shape.length;
  if (!xv || !reps || reps.length !== rank || rank === 0) return null;
  const shape = x.shape.map((d, i) => d * reps[i]);
  const inStrides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const last = shape[rank - 1];
  const inLast = x.shape[rank - 1];
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let o = 0, row = 0; o < out.length; o += last, row++) {
    let base = 0;
    let rest = row;
    for (let d = rank - 2; d >= 0; d--) {
      base += ((rest % shape[d]) % x.shape[d]) * inStrides[d];
      rest = Math.floor(rest / shape[d]);
    }
    for (let j = 0; j < last; j++) out[o + j] = xv[base + (j % inLast)];
  }
  return cpuTensor(backend, shape, out);
};

/** The fast paths above, by the tfjs kernel they go in front of. */
export const CPU_OP_KERNELS: Record<string, FastKernel> = {
  Add: binary('add'),
  Sub: binary('sub'),
  Multiply: binary('mul'),
  RealDiv: binary('div'),
  Sum: sum,
  Softmax: softmax,
  SplitV: splitV,
  Tile: tile,
  MaxPoolGrad: maxPoolGrad,
};
