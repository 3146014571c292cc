// Direct convolution shaders for the webgpu backend's FusedConv2D and Conv2DBackpropFilter.
// tfjs' forward conv (Conv2DMMProgram) tiles 32 output channels at a time, so with few output
// channels on a large image (the generator's last upsampling convs, 16 → 8 channels at 32x32; the
// U-Net's 8-filter full-resolution block) most of each tile is idle; its filter gradient computes
// one scalar per thread. Here each forward thread computes PIXELS adjacent output pixels times 4
// output channels (each vec4 weight load feeds PIXELS FMAs) and each filter-gradient thread
// CI_BLOCK input channels times 4 output channels. Measured on SwiftShader (Dawn in Node, 2 cores):
// forward 4-16x faster than tfjs on every conv of the GAN and the U-Net (32x32x16 → 8: 1,657 → 100
// ms), the filter gradient 7x (815 → 112 ms), one GAN step 2x. On a hardware GPU (none here to
// measure) tfjs' tiled shader should win for wide layers, so there the forward shader takes only
// layers of at most DIRECT_MAX_OUT_CHANNELS output channels, and the filter gradient stays tfjs':
// ours runs one thread per 16 filter values (36 threads for a 3x3, 8 → 8 conv), too few for a GPU.
// Anything but NHWC, dilation 1, a linear activation and output channels a multiple of 4 goes to
// tfjs' kernels.
// tfjs-webgpu's own flags, measured first on one GAN step (SwiftShader, one run, 2 steps each, ms):
// defaults 24,776-27,923; WEBGPU_CONV_SEPARATE_IM2COL_SHADER 33,658; WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE
// false 40,348; WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL 100000 31,343-34,976;
// WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE 1000 22,853-23,362 (within the defaults' spread). None is set.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { FastKernel, KernelArgs } from '../types';
import { convGeometry, type ConvGeometry as Geometry } from '../conv-geometry';
import { run } from './program';

const PIXELS = 4;

/** WGSL lines `f(0) … f(n - 1)`, for unrolled per-pixel or per-channel accumulators. */
const repeat = (n: number, f: (i: number) => string): string =>
  Array.from({ length: n }, (_, i) => f(i)).join('');
/** Output channels up to which a hardware GPU gets the direct shaders (tfjs tiles 32 at a time). */
const DIRECT_MAX_OUT_CHANNELS = 16;

/** Whether the backend runs on a CPU (SwiftShader), where the direct shaders won at every width. */
function softwareAdapter(backend: unknown): boolean {
  const info = (backend as { adapterInfo?: { architecture?: string } }).adapterInfo;
  return info?.architecture === 'swiftshader';
}

/** The geometry of a conv the direct shaders take (see the top of this file), else null. */
function geometry(args: KernelArgs, filterShape: number[]): Geometry | null {
  const x = args.inputs.x as TensorInfo;
  const attrs = args.attrs ?? {};
  const activation = (attrs.activation as string | undefined) ?? 'linear';
  if (args.inputs.preluActivationWeights || activation !== 'linear') return null;
  const g = convGeometry(x.shape, filterShape, attrs);
  if (!g || g.outC % 4 !== 0) return null;
  if (g.outC > DIRECT_MAX_OUT_CHANNELS && !softwareAdapter(args.backend)) return null;
  return g;
}

/** The WGSL body: thread → (image, output row, block of PIXELS columns, 4 channels). */
function shader(g: Geometry, hasBias: boolean): string {
  const Q = g.outC / 4;
  const blocks = Math.ceil(g.outW / PIXELS);
  const px = (f: (p: number) => string) => repeat(PIXELS, f);
  return `
    let q = index % ${Q};
    let rest = index / ${Q};
    let blk = rest % ${blocks};
    let rest2 = rest / ${blocks};
    let oy = rest2 % ${g.outH};
    let b = rest2 / ${g.outH};
    let ox0 = blk * ${PIXELS};
    ${px((p) => `var acc${p} = vec4<f32>(0.0);`)}
    for (var ky = 0; ky < ${g.fH}; ky++) {
      let iy = oy * ${g.sH} - ${g.top} + ky;
      if (iy < 0 || iy >= ${g.inH}) { continue; }
      let row = (b * ${g.inH} + iy) * ${g.inW};
      for (var kx = 0; kx < ${g.fW}; kx++) {
        ${px(
          (p) => `
        let ix${p} = (ox0 + ${p}) * ${g.sW} - ${g.left} + kx;
        let ok${p} = ix${p} >= 0 && ix${p} < ${g.inW} && ox0 + ${p} < ${g.outW};
        let base${p} = (row + clamp(ix${p}, 0, ${g.inW - 1})) * ${g.inC};`,
        )}
        let wrow = (ky * ${g.fW} + kx) * ${g.inC};
        for (var c = 0; c < ${g.inC}; c++) {
          let w = Wt[(wrow + c) * ${Q} + q];
          ${px((p) => `acc${p} += select(0.0, X[base${p} + c], ok${p}) * w;`)}
        }
      }
    }
    ${hasBias ? 'let bias = Bias[q];' : 'let bias = vec4<f32>(0.0);'}
    let out = ((b * ${g.outH} + oy) * ${g.outW} + ox0) * ${Q} + q;
    ${px((p) => `if (ox0 + ${p} < ${g.outW}) { result[out + ${p * Q}] = acc${p} + bias; }`)}
  `;
}

function directConv(args: KernelArgs): TensorInfo | null {
  const g = geometry(args, (args.inputs.filter as TensorInfo).shape);
  if (!g) return null;
  const bias = args.inputs.bias as TensorInfo | undefined;
  // A bias of one value (broadcast) is left to tfjs.
  if (bias && !(bias.shape.length === 1 && bias.shape[0] === g.outC)) return null;
  const hasBias = Boolean(bias);
  const inputs: Array<[string, string, number]> = [
    ['X', 'x', 1],
    ['Wt', 'filter', 4],
    ...(hasBias ? [['Bias', 'bias', 4] as [string, string, number]] : []),
  ];
  const threads = g.batch * g.outH * Math.ceil(g.outW / PIXELS) * (g.outC / 4);
  const key = `directConv_${Object.values(g).join('_')}_${hasBias}`;
  const shape = [g.batch, g.outH, g.outW, g.outC];
  return run(args, key, inputs, shape, threads, shader(g, hasBias));
}

// Thread → (ky, kx, CI_BLOCK input channels, 4 output channels) of the filter gradient, summing
// x · dy over every image and output pixel in the same order as tfjs' one-scalar-per-thread shader.
const CI_BLOCK = 4;

function filterGradShader(g: Geometry, ciBlock: number): string {
  const Q = g.outC / 4;
  const cis = (f: (c: number) => string) => repeat(ciBlock, f);
  return `
    let q = index % ${Q};
    let rest = index / ${Q};
    let cb = rest % ${g.inC / ciBlock};
    let k = rest / ${g.inC / ciBlock};
    let kx = k % ${g.fW};
    let ky = k / ${g.fW};
    let c0 = cb * ${ciBlock};
    ${cis((c) => `var acc${c} = vec4<f32>(0.0);`)}
    for (var b = 0; b < ${g.batch}; b++) {
      for (var oy = 0; oy < ${g.outH}; oy++) {
        let iy = oy * ${g.sH} - ${g.top} + ky;
        if (iy < 0 || iy >= ${g.inH}) { continue; }
        for (var ox = 0; ox < ${g.outW}; ox++) {
          let ix = ox * ${g.sW} - ${g.left} + kx;
          if (ix < 0 || ix >= ${g.inW}) { continue; }
          let d = Dy[((b * ${g.outH} + oy) * ${g.outW} + ox) * ${Q} + q];
          let xb = ((b * ${g.inH} + iy) * ${g.inW} + ix) * ${g.inC} + c0;
          ${cis((c) => `acc${c} += X[xb + ${c}] * d;`)}
        }
      }
    }
    let out = (k * ${g.inC} + c0) * ${Q} + q;
    ${cis((c) => `result[out + ${c * Q}] = acc${c};`)}
  `;
}

function filterGrad(args: KernelArgs): TensorInfo | null {
  if (!softwareAdapter(args.backend)) return null;
  const filterShape = args.attrs?.filterShape as number[];
  const g = geometry(args, filterShape);
  if (!g) return null;
  const ciBlock = g.inC % CI_BLOCK === 0 ? CI_BLOCK : 1;
  const threads = g.fH * g.fW * (g.inC / ciBlock) * (g.outC / 4);
  const key = `directConvFilterGrad_${Object.values(g).join('_')}_${ciBlock}`;
  const inputs: Array<[string, string, number]> = [
    ['X', 'x', 1],
    ['Dy', 'dy', 4],
  ];
  return run(args, key, inputs, filterShape, threads, filterGradShader(g, ciBlock));
}

/** The direct shaders, by the tfjs kernel they go in front of. */
export const WEBGPU_CONV_KERNELS: Record<string, FastKernel> = {
  FusedConv2D: directConv,
  Conv2DBackpropFilter: filterGrad,
};
