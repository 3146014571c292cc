// A fast cpu-backend Conv2DBackpropInput for strides > 1: the forward pass of every Conv2DTranspose
// (the generator's upsampling) and the input gradient of every strided Conv2D (the discriminator, in
// the generator step). tfjs 4.22's cpu kernel gathers one output element at a time through index
// arithmetic (≈0.3 GFLOP/s here) and conv-gemm-kernels.ts covers stride 1 only; after the weight
// gradient was fixed this was over half of a DCGAN step on cpu. Here it is a matrix product
// cols[pixel, tap, cin] = dy[pixel, :] · W[tap, cin, :] (both operands contiguous in the reduction
// axis, 4x4 register-blocked) followed by a scatter-add of cols into dx (col2im). Same math,
// channels-last, dilation 1; any other case goes to the kernel registered before.
import * as tf from '@tensorflow/tfjs';
import type { DataId, DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface CpuBackend {
  data: { get(id: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array): TensorInfo;
}

type KernelArgs = Parameters<KernelFunc>[0];

const NAME = 'Conv2DBackpropInput';
// Output pixels per matrix product: cols stays within a few hundred KB for the DCGAN's layer sizes.
const CHUNK = 128;

function floats(backend: CpuBackend, t: TensorInfo): Float32Array | null {
  const v = backend.data.get(t.dataId).values;
  return t.dtype === 'float32' && v instanceof Float32Array ? v : null;
}

// out[i, j] = sum_q a[aOff + i*k + q] * b[j*k + q] for i < m, j < n.
function gemmABt(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  out: Float32Array,
  m: number,
  k: number,
  n: number,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = aOff + i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0,
        s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let q = 0; q < k; q++) {
        const x0 = a[a0 + q],
          x1 = a[a1 + q],
          x2 = a[a2 + q],
          x3 = a[a3 + q];
        const y0 = b[b0 + q],
          y1 = b[b1 + q],
          y2 = b[b2 + q],
          y3 = b[b3 + q];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3;
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3;
      }
      const r0 = i * n + j;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      out[r0] = s00;
      out[r0 + 1] = s01;
      out[r0 + 2] = s02;
      out[r0 + 3] = s03;
      out[r1] = s10;
      out[r1 + 1] = s11;
      out[r1 + 2] = s12;
      out[r1 + 3] = s13;
      out[r2] = s20;
      out[r2 + 1] = s21;
      out[r2 + 2] = s22;
      out[r2 + 3] = s23;
      out[r3] = s30;
      out[r3 + 1] = s31;
      out[r3 + 2] = s32;
      out[r3 + 3] = s33;
    }
  }
  for (let i = 0; i < m; i++) {
    for (let j = i < m4 ? n4 : 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[aOff + i * k + q] * b[j * k + q];
      out[i * n + j] = s;
    }
  }
}

function backpropInput(args: KernelArgs): TensorInfo | null {
  const { dy, filter } = args.inputs as { dy?: TensorInfo; filter?: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const backend = args.backend as CpuBackend;
  if (!dy || !filter || attrs.dataFormat === 'NCHW') return null;
  const dyv = floats(backend, dy);
  const w = floats(backend, filter);
  if (!dyv || !w) return null;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  // Stride 1 is already fast in conv-gemm-kernels.ts (when registered); keep one owner per case.
  if (strideHeight === 1 && strideWidth === 1) return null;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const taps = filterHeight * filterWidth;
  const cols = new Float32Array(CHUNK * taps * inChannels);
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  const pixels = batchSize * outHeight * outWidth;
  for (let p0 = 0; p0 < pixels; p0 += CHUNK) {
    const count = Math.min(CHUNK, pixels - p0);
    gemmABt(dyv, p0 * outChannels, w, cols, count, outChannels, taps * inChannels);
    for (let i = 0; i < count; i++) {
      const p = p0 + i;
      const yC = p % outWidth;
      const yR = Math.floor(p / outWidth) % outHeight;
      const b = Math.floor(p / (outWidth * outHeight));
      for (let wR = 0; wR < filterHeight; wR++) {
        const xR = yR * strideHeight + wR - top;
        if (xR < 0 || xR >= inHeight) continue;
        for (let wC = 0; wC < filterWidth; wC++) {
          const xC = yC * strideWidth + wC - left;
          if (xC < 0 || xC >= inWidth) continue;
          const dst = ((b * inHeight + xR) * inWidth + xC) * inChannels;
          const src = (i * taps + wR * filterWidth + wC) * inChannels;
          for (let c = 0; c < inChannels; c++) dx[dst + c] += cols[src + c];
        }
      }
    }
  }
  return backend.makeTensorInfo(attrs.inputShape, 'float32', dx);
}

/** Puts the fast strided Conv2DBackpropInput in front of the cpu kernel registered now (idempotent). */
export function registerGanCpuKernels(): void {
  const current = tf.getKernel(NAME, 'cpu');
  if (!current || (current as { ganFast?: boolean }).ganFast) return;
  const fallback = current.kernelFunc;
  tf.unregisterKernel(NAME, 'cpu');
  tf.registerKernel({
    ...current,
    kernelFunc: (a) => backpropInput(a) ?? fallback(a),
    ganFast: true,
  } as tf.KernelConfig);
}
