// Runs hand-written WGSL compute shaders through the tfjs webgpu backend (its `runWebGPUProgram`),
// for kernels registered with `tf.registerKernel`. The shader sees tfjs' usual declarations: inputs
// as storage arrays named by `variableNames` (vec4 where the component count is 4), `result` as an
// array of vec4, `uniforms` with `threads` plus any extra int uniforms, and the vec4 helpers
// `sigm` and `tanhSafe`.
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from '../types';

interface Program {
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  getUserCode(): string;
}

type Uniforms = Array<{ type: 'int32'; data: number[] }>;

interface WebgpuBackend {
  runWebGPUProgram(p: Program, inputs: TensorInfo[], dtype: 'float32', u: Uniforms): TensorInfo;
}

const WG = 64;

/** Runs WGSL `body` once per thread `index` < `threads` into a new tensor of `shape`; `inputs` are [shader name, kernel input, components]. */
export function run(
  args: KernelArgs,
  key: string,
  inputs: Array<[string, string, number]>,
  shape: number[],
  threads: number,
  body: string,
  extra: Array<[string, number]> = [],
): TensorInfo {
  const p: Program = {
    variableNames: inputs.map(([name]) => name),
    variableComponents: inputs.map(([, , comps]) => comps),
    outputComponent: 4,
    outputShape: shape,
    shaderKey: key,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(threads / WG), 1, 1],
    workgroupSize: [WG, 1, 1],
    size: false,
    // Every shader reads `uniforms`: with layout 'auto' an unused binding is dropped and tfjs'
    // bind group then fails validation (silently, as a Dawn error message).
    uniforms: ['threads : i32,', ...extra.map(([n]) => `${n} : i32,`)].join(' '),
    getUserCode: () => `
      fn sigm(x : vec4<f32>) -> vec4<f32> { return 1.0 / (1.0 + exp(-x)); }
      // WGSL's tanh may return NaN for large |x| on some drivers; tfjs uses this form too.
      fn tanhSafe(x : vec4<f32>) -> vec4<f32> {
        let e = exp(-2.0 * abs(x));
        return sign(x) * (1.0 - e) / (1.0 + e);
      }
      fn main(index : i32) {
        if (index >= uniforms.threads) { return; }
        ${body}
      }`,
  };
  const tensors = inputs.map(([name, input]) => {
    const t = args.inputs[input];
    if (!t) throw new Error(`webgpu program: missing input ${name}`);
    return t;
  });
  const uniforms: Uniforms = [threads, ...extra.map(([, v]) => v)].map((v) => ({
    type: 'int32',
    data: [v],
  }));
  return (args.backend as WebgpuBackend).runWebGPUProgram(p, tensors, 'float32', uniforms);
}

/** The kernel attributes as numbers. */
export function dims(attrs: NamedAttrMap | undefined): Record<string, number> {
  return attrs as Record<string, number>;
}
