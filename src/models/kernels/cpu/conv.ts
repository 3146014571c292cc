// Faster cpu-backend kernels for 2-D convolutions (NHWC, no dilation): Conv2D, FusedConv2D and the
// filter gradient. tfjs 4.22's cpu Conv2DBackpropFilter reads every element through TensorBuffer.get
// and took ≈20 s for one 3x3 conv of [16, 64, 64, 8] here, which made U-Net training on cpu
// hopeless. These lower each convolution to im2col chunks and the register-blocked GEMM. What they
// do not cover (NCHW, dilations, explicit padding, PReLU) runs the stock kernel.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { FastKernel, KernelArgs } from '../types';
import { convGeometry, type ConvGeometry } from '../conv-geometry';
import { cpuTensor, cpuValues } from './backend';
import { gemmABt, transpose } from './gemm';

// Output positions per im2col chunk: big enough to amortise the loops, small enough to stay in cache.
const CHUNK = 256;

/** Calls `visit(xAt, rowAt)` for each filter tap inside the input of output positions p0..p0+count-1: `xAt` indexes the input pixel's channels, `rowAt` the tap's channels in `[count, fH·fW·inC]` patch rows. */
export function forEachTap(
  g: ConvGeometry,
  p0: number,
  count: number,
  visit: (xAt: number, rowAt: number) => void,
): void {
  const K = g.fH * g.fW * g.inC;
  for (let i = 0; i < count; i++) {
    const p = p0 + i;
    const ox = p % g.outW;
    const oy = Math.floor(p / g.outW) % g.outH;
    const b = Math.floor(p / (g.outW * g.outH));
    for (let wR = 0; wR < g.fH; wR++) {
      const xR = oy * g.sH + wR - g.top;
      if (xR < 0 || xR >= g.inH) continue;
      for (let wC = 0; wC < g.fW; wC++) {
        const xC = ox * g.sW + wC - g.left;
        if (xC < 0 || xC >= g.inW) continue;
        visit(((b * g.inH + xR) * g.inW + xC) * g.inC, i * K + (wR * g.fW + wC) * g.inC);
      }
    }
  }
}

/** Fills `rows` `[count, fH·fW·inC]` with the input patches of output positions p0..p0+count-1 (zeros outside). */
function im2col(
  x: Float32Array,
  g: ConvGeometry,
  p0: number,
  count: number,
  rows: Float32Array,
): void {
  rows.fill(0, 0, count * g.fH * g.fW * g.inC);
  forEachTap(g, p0, count, (xAt, rowAt) => rows.set(x.subarray(xAt, xAt + g.inC), rowAt));
}

/** y `[batch, outH, outW, outC]` = conv(x, w) with `w` given transposed as `[outC, fH·fW·inC]`. */
export function convForward(x: Float32Array, wt: Float32Array, g: ConvGeometry): Float32Array {
  const K = g.fH * g.fW * g.inC;
  const positions = g.batch * g.outH * g.outW;
  const y = new Float32Array(positions * g.outC);
  const rows = new Float32Array(CHUNK * K);
  for (let p0 = 0; p0 < positions; p0 += CHUNK) {
    const count = Math.min(CHUNK, positions - p0);
    im2col(x, g, p0, count, rows);
    gemmABt(rows, 0, wt, y, p0 * g.outC, count, K, g.outC);
  }
  return y;
}

/** dW `[fH, fW, inC, outC]` = Σ over output positions of patch ⊗ dy, accumulated in float64. */
function convFilterGrad(x: Float32Array, dy: Float32Array, g: ConvGeometry): Float32Array {
  const K = g.fH * g.fW * g.inC;
  const positions = g.batch * g.outH * g.outW;
  const rows = new Float32Array(CHUNK * K);
  const rowsT = new Float32Array(CHUNK * K);
  const dyT = new Float32Array(CHUNK * g.outC);
  const part = new Float64Array(K * g.outC);
  const dw = new Float64Array(K * g.outC);
  for (let p0 = 0; p0 < positions; p0 += CHUNK) {
    const n = Math.min(CHUNK, positions - p0);
    im2col(x, g, p0, n, rows);
    // Transposed, both operands are contiguous along the positions the product sums over.
    transpose(rows, n, K, rowsT);
    transpose(dy.subarray(p0 * g.outC), n, g.outC, dyT);
    gemmABt(rowsT, 0, dyT, part, 0, K, n, g.outC);
    for (let i = 0; i < dw.length; i++) dw[i] += part[i];
  }
  return Float32Array.from(dw);
}

function forward({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const xv = cpuValues(backend, x);
  const wv = cpuValues(backend, filter);
  const g = xv && wv ? convGeometry(x.shape, filter.shape, attrs ?? {}) : null;
  if (!xv || !wv || !g) return null;
  const K = g.fH * g.fW * g.inC;
  const wt = new Float32Array(K * g.outC);
  for (let k = 0; k < K; k++) for (let o = 0; o < g.outC; o++) wt[o * K + k] = wv[k * g.outC + o];
  return cpuTensor(backend, [g.batch, g.outH, g.outW, g.outC], convForward(xv, wt, g));
}

function fused(args: KernelArgs): TensorInfo | null {
  const { bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const activation = (args.attrs?.activation as string | undefined) ?? 'linear';
  if (preluActivationWeights || !['linear', 'relu'].includes(activation)) return null;
  const b = bias ? cpuValues(args.backend, bias) : null;
  if (bias && (!b || bias.shape.length > 1)) return null;
  const out = forward(args);
  if (!out) return null;
  const y = cpuValues(args.backend, out) as Float32Array;
  const outC = out.shape[3];
  for (let i = 0; i < y.length; i++) {
    let v = b ? y[i] + b[b.length === 1 ? 0 : i % outC] : y[i];
    if (activation === 'relu' && v < 0) v = 0;
    y[i] = v;
  }
  return out;
}

function filterGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs?.filterShape as number[];
  const xv = cpuValues(backend, x);
  const dyv = cpuValues(backend, dy);
  const g = xv && dyv ? convGeometry(x.shape, filterShape, attrs ?? {}) : null;
  if (!xv || !dyv || !g) return null;
  return cpuTensor(backend, filterShape, convFilterGrad(xv, dyv, g));
}

/** The fast paths above, by the tfjs kernel they go in front of. */
export const CPU_CONV_KERNELS: Record<string, FastKernel> = {
  Conv2D: forward,
  FusedConv2D: fused,
  Conv2DBackpropFilter: filterGrad,
};
