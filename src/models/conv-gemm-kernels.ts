// Faster cpu-backend kernels for 2-D convolutions (NHWC, no dilation): Conv2D, FusedConv2D and both
// gradients. tfjs 4.22's cpu Conv2DBackpropFilter reads every element through TensorBuffer.get and
// took ≈20 s for one 3x3 conv of [16, 64, 64, 8] here, which made U-Net training on cpu hopeless.
// These lower each convolution to im2col chunks and a 4x4 register-blocked dot product over
// contiguous rows. What they do not cover (NCHW, dilations, strided input gradients, PReLU) runs
// the kernel that was registered before, so installing them changes no result elsewhere.
import type { TensorInfo } from '@tensorflow/tfjs';
import { floatValues, overrideCpuKernel, registerFastCpuKernels } from './cpu-fast-kernels';
import type { CpuBackend, KernelArgs } from './cpu-fast-kernels';
import { gemmABt } from './cpu-gemm';
import { convGeometry as geometry, type ConvGeometry as Geometry } from './conv-geometry';

// Output positions per im2col chunk: big enough to amortise the loops, small enough to stay in cache.
const CHUNK = 256;

/** out[k·O + o] += Σ_i a[i·K + k] · b[i·O + o] for i < n: the transposed-left product, 4x4 register blocks. */
function gemmTN(
  a: Float32Array,
  b: Float32Array,
  out: Float64Array,
  n: number,
  K: number,
  O: number,
): void {
  const K4 = K - (K % 4);
  const O4 = O - (O % 4);
  for (let k = 0; k < K4; k += 4) {
    for (let o = 0; o < O4; o += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
      for (let i = 0; i < n; i++) {
        const ai = i * K + k, bi = i * O + o; // prettier-ignore
        const x0 = a[ai], x1 = a[ai + 1], x2 = a[ai + 2], x3 = a[ai + 3]; // prettier-ignore
        const y0 = b[bi], y1 = b[bi + 1], y2 = b[bi + 2], y3 = b[bi + 3]; // prettier-ignore
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3; // prettier-ignore
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3; // prettier-ignore
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3; // prettier-ignore
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3; // prettier-ignore
      }
      const r0 = k * O + o, r1 = r0 + O, r2 = r1 + O, r3 = r2 + O; // prettier-ignore
      out[r0] += s00;
      out[r0 + 1] += s01;
      out[r0 + 2] += s02;
      out[r0 + 3] += s03; // prettier-ignore
      out[r1] += s10;
      out[r1 + 1] += s11;
      out[r1 + 2] += s12;
      out[r1 + 3] += s13; // prettier-ignore
      out[r2] += s20;
      out[r2 + 1] += s21;
      out[r2 + 2] += s22;
      out[r2 + 3] += s23; // prettier-ignore
      out[r3] += s30;
      out[r3 + 1] += s31;
      out[r3 + 2] += s32;
      out[r3 + 3] += s33; // prettier-ignore
    }
  }
  for (let k = 0; k < K; k++) {
    for (let o = k < K4 ? O4 : 0; o < O; o++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += a[i * K + k] * b[i * O + o];
      out[k * O + o] += s;
    }
  }
}

/** Fills `rows` `[count, fH·fW·inC]` with the input patches of output positions p0..p0+count-1 (zeros outside). */
function im2col(x: Float32Array, g: Geometry, p0: number, count: number, rows: Float32Array): void {
  const K = g.fH * g.fW * g.inC;
  rows.fill(0, 0, count * K);
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
        const src = ((b * g.inH + xR) * g.inW + xC) * g.inC;
        rows.set(x.subarray(src, src + g.inC), i * K + (wR * g.fW + wC) * g.inC);
      }
    }
  }
}

/** y `[batch, outH, outW, outC]` = conv(x, w) with `w` given transposed as `[outC, fH·fW·inC]`. */
function convForward(x: Float32Array, wt: Float32Array, g: Geometry): Float32Array {
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
function convFilterGrad(x: Float32Array, dy: Float32Array, g: Geometry): Float32Array {
  const K = g.fH * g.fW * g.inC;
  const positions = g.batch * g.outH * g.outW;
  const rows = new Float32Array(CHUNK * K);
  const dw = new Float64Array(K * g.outC);
  for (let p0 = 0; p0 < positions; p0 += CHUNK) {
    const n = Math.min(CHUNK, positions - p0);
    im2col(x, g, p0, n, rows);
    gemmTN(rows, dy.subarray(p0 * g.outC, (p0 + n) * g.outC), dw, n, K, g.outC);
  }
  return Float32Array.from(dw);
}

function forward({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const xv = floatValues(backend, x);
  const wv = floatValues(backend, filter);
  const g = xv && wv ? geometry(x.shape, filter.shape, attrs ?? {}) : null;
  if (!xv || !wv || !g) return null;
  const K = g.fH * g.fW * g.inC;
  const wt = new Float32Array(K * g.outC);
  for (let k = 0; k < K; k++) for (let o = 0; o < g.outC; o++) wt[o * K + k] = wv[k * g.outC + o];
  const y = convForward(xv, wt, g);
  return (backend as CpuBackend).makeTensorInfo([g.batch, g.outH, g.outW, g.outC], 'float32', y);
}

function fused(args: KernelArgs): TensorInfo | null {
  const { bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const activation = (args.attrs?.activation as string | undefined) ?? 'linear';
  if (preluActivationWeights || !['linear', 'relu'].includes(activation)) return null;
  const b = bias ? floatValues(args.backend, bias) : null;
  if (bias && (!b || bias.shape.length > 1)) return null;
  const out = forward(args);
  if (!out) return null;
  const y = floatValues(args.backend, out) as Float32Array;
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
  const xv = floatValues(backend, x);
  const dyv = floatValues(backend, dy);
  const g = xv && dyv ? geometry(x.shape, filterShape, attrs ?? {}) : null;
  if (!xv || !dyv || !g) return null;
  const dw = convFilterGrad(xv, dyv, g);
  return (backend as CpuBackend).makeTensorInfo(filterShape, 'float32', dw);
}

function inputGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inShape = attrs?.inputShape as number[];
  const dyv = floatValues(backend, dy);
  const w = floatValues(backend, filter);
  const g = dyv && w ? geometry(inShape, filter.shape, attrs ?? {}) : null;
  if (!dyv || !w || !g || g.sH !== 1 || g.sW !== 1) return null;
  // With stride 1 the input gradient is a correlation of dy with the flipped filter, channels
  // swapped; it is laid out directly as the transposed `[inC, fH·fW·outC]` operand of gemm.
  const K = g.fH * g.fW * g.outC;
  const wt = new Float32Array(w.length);
  for (let r = 0; r < g.fH; r++) {
    for (let c = 0; c < g.fW; c++) {
      const flipped = ((g.fH - 1 - r) * g.fW + (g.fW - 1 - c)) * g.outC;
      for (let i = 0; i < g.inC; i++) {
        const src = ((r * g.fW + c) * g.inC + i) * g.outC;
        for (let o = 0; o < g.outC; o++) wt[i * K + flipped + o] = w[src + o];
      }
    }
  }
  const back: Geometry = {
    ...g,
    inH: g.outH,
    inW: g.outW,
    inC: g.outC,
    outH: g.inH,
    outW: g.inW,
    outC: g.inC,
    top: g.fH - 1 - g.top,
    left: g.fW - 1 - g.left,
  };
  return (backend as CpuBackend).makeTensorInfo(inShape, 'float32', convForward(dyv, wt, back));
}

let installed = false;

/** Installs the conv kernels above and the other fast paths of cpu-fast-kernels on the cpu backend (idempotent). */
export function registerConvGemmKernels(): void {
  registerFastCpuKernels();
  if (installed) return;
  installed = true;
  overrideCpuKernel('Conv2D', forward);
  overrideCpuKernel('FusedConv2D', fused);
  overrideCpuKernel('Conv2DBackpropFilter', filterGrad);
  overrideCpuKernel('Conv2DBackpropInput', inputGrad);
}
