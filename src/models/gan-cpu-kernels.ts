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
import { gemmABt } from './cpu-gemm';

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
    gemmABt(dyv, p0 * outChannels, w, cols, 0, count, outChannels, taps * inChannels);
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
