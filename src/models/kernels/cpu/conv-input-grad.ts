// A faster cpu-backend Conv2DBackpropInput: the input gradient of every Conv2D and the forward pass
// of every Conv2DTranspose (the generator's upsampling). tfjs 4.22's cpu kernel gathers one output
// element at a time through index arithmetic (≈0.3 GFLOP/s here); after the filter gradient was
// fixed this was over half of a DCGAN step on cpu. Stride 1 is a convolution of dy with the flipped
// filter; a larger stride is a matrix product cols[pixel, tap, cin] = dy[pixel, :] · W[tap, cin, :]
// followed by a scatter-add of cols into dx (col2im). NHWC and dilation 1 only; any other case runs
// the stock kernel.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { FastKernel, KernelArgs } from '../types';
import { convGeometry, type ConvGeometry } from '../conv-geometry';
import { cpuTensor, cpuValues } from './backend';
import { convForward, forEachTap } from './conv';
import { gemmABt } from './gemm';

// Output pixels per matrix product: cols stays within a few hundred KB for the DCGAN's layer sizes.
const CHUNK = 128;

/** dx for stride 1: the correlation of dy with the flipped filter, channels swapped. */
function flippedConv(dy: Float32Array, w: Float32Array, g: ConvGeometry): Float32Array {
  // Laid out directly as the transposed `[inC, fH·fW·outC]` operand of the GEMM.
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
  const back: ConvGeometry = {
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
  return convForward(dy, wt, back);
}

/** dx for any stride: per chunk of dy pixels, one GEMM into cols, then col2im. */
function col2im(dy: Float32Array, w: Float32Array, g: ConvGeometry): Float32Array {
  const taps = g.fH * g.fW;
  const cols = new Float32Array(CHUNK * taps * g.inC);
  const dx = new Float32Array(g.batch * g.inH * g.inW * g.inC);
  const pixels = g.batch * g.outH * g.outW;
  for (let p0 = 0; p0 < pixels; p0 += CHUNK) {
    const count = Math.min(CHUNK, pixels - p0);
    gemmABt(dy, p0 * g.outC, w, cols, 0, count, g.outC, taps * g.inC);
    forEachTap(g, p0, count, (xAt, colAt) => {
      for (let c = 0; c < g.inC; c++) dx[xAt + c] += cols[colAt + c];
    });
  }
  return dx;
}

function inputGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inShape = attrs?.inputShape as number[];
  const dyv = cpuValues(backend, dy);
  const w = cpuValues(backend, filter);
  const g = dyv && w ? convGeometry(inShape, filter.shape, attrs ?? {}) : null;
  if (!dyv || !w || !g) return null;
  const dx = g.sH === 1 && g.sW === 1 ? flippedConv(dyv, w, g) : col2im(dyv, w, g);
  return cpuTensor(backend, inShape, dx);
}

/** The fast path above, by the tfjs kernel it goes in front of. */
export const CPU_CONV_INPUT_GRAD_KERNELS: Record<string, FastKernel> = {
  Conv2DBackpropInput: inputGrad,
};
