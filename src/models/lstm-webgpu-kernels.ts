// LSTM forward and backward on the webgpu backend with one fused compute shader per time step and
// direction, instead of the ≈25 kernels per step of the tf.layers loop. A step's whole state lives
// in one [B, 6U] buffer (gates i, f, c, o after activation, then c and h), because a tfjs program
// has one output; the backward shader of step t-1 also computes dh = dz_t · Rᵀ, so the recurrence
// needs no separate matmul. Weight gradients are one shader each, reading the step buffers in place.
// Every thread handles 4 adjacent units as vec4 (so units must be a multiple of 4).
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

const FWD = 'CharLstmStepForward';
const BWD = 'CharLstmStepBackward';
const ACCUMULATE = 'CharLstmAccumulateGrads';

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

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };

const WG = 64;

/** Runs `body` once per thread index < `threads`; `inputs` maps shader names to [kernel input, components]. */
function run(
  args: Args,
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
    if (!t) throw new Error(`lstm webgpu: missing input ${name}`);
    return t;
  });
  const uniforms: Uniforms = [threads, ...extra.map(([, v]) => v)].map((v) => ({
    type: 'int32',
    data: [v],
  }));
  return (args.backend as WebgpuBackend).runWebGPUProgram(p, tensors, 'float32', uniforms);
}

function dims(attrs: NamedAttrMap | undefined): Record<string, number> {
  return attrs as Record<string, number>;
}

// Thread (b, 4 units): gate pre-activations from the x row of the kernel plus h_{t-1} · R.
function forwardStep(args: Args): TensorInfo {
  const { batch: B, maxLen: T, units: U, step } = dims(args.attrs);
  const [Q, G4, S] = [U / 4, U, 6 * U];
  const body = `
    let b = index / ${Q};
    let u = index - b * ${Q};
    let x = X[b * ${T} + uniforms.step];
    var zi = W[x * ${G4} + u] + Bias[u];
    var zf = W[x * ${G4} + ${Q} + u] + Bias[${Q} + u];
    var zg = W[x * ${G4} + ${2 * Q} + u] + Bias[${2 * Q} + u];
    var zo = W[x * ${G4} + ${3 * Q} + u] + Bias[${3 * Q} + u];
    let hOff = b * ${S} + ${5 * U};
    for (var k = 0; k < ${U}; k++) {
      let hk = Prev[hOff + k];
      let r = k * ${G4} + u;
      zi += hk * R[r];
      zf += hk * R[r + ${Q}];
      zg += hk * R[r + ${2 * Q}];
      zo += hk * R[r + ${3 * Q}];
    }
    let i = sigm(zi);
    let f = sigm(zf);
    let g = tanhSafe(zg);
    let o = sigm(zo);
    let p = b * ${S} + ${4 * U} + 4 * u;
    let cPrev = vec4<f32>(Prev[p], Prev[p + 1], Prev[p + 2], Prev[p + 3]);
    let c = f * cPrev + i * g;
    let s = b * ${6 * Q} + u;
    result[s] = i;
    result[s + ${Q}] = f;
    result[s + ${2 * Q}] = g;
    result[s + ${3 * Q}] = o;
    result[s + ${4 * Q}] = c;
    result[s + ${5 * Q}] = o * tanhSafe(c);`;
  const inputs: Array<[string, string, number]> = [
    ['X', 'xs', 1],
    ['W', 'kernel', 4],
    ['R', 'recurrent', 4],
    ['Bias', 'bias', 4],
    ['Prev', 'prev', 1],
  ];
  return run(args, `lstmFwd_${B}_${T}_${U}`, inputs, [B, S], B * Q, body, [['step', step]]);
}

// Thread (b, 4 units): dh from the later step's dz (or dy at the last step), then dz_t, dc_{t-1}.
function backwardStep(args: Args): TensorInfo {
  const { batch: B, units: U, first } = dims(args.attrs);
  const [Q, D] = [U / 4, 5 * U];
  const body = `
    let b = index / ${Q};
    let u = index - b * ${Q};
    var dh = vec4<f32>(0.0);
    var dc = vec4<f32>(0.0);
    if (uniforms.first == 1) {
      dh = Dy[b * ${Q} + u];
    } else {
      let zOff = b * ${D};
      for (var k = 0; k < ${4 * U}; k++) { dh += Dzc[zOff + k] * RT[k * ${Q} + u]; }
      let q = zOff + ${4 * U} + 4 * u;
      dc = vec4<f32>(Dzc[q], Dzc[q + 1], Dzc[q + 2], Dzc[q + 3]);
    }
    let s = b * ${6 * Q} + u;
    let i = St[s];
    let f = St[s + ${Q}];
    let g = St[s + ${2 * Q}];
    let o = St[s + ${3 * Q}];
    let tc = tanhSafe(St[s + ${4 * Q}]);
    let dct = dc + dh * o * (1.0 - tc * tc);
    let d = b * ${5 * Q} + u;
    result[d] = dct * g * i * (1.0 - i);
    result[d + ${Q}] = dct * Prev[s + ${4 * Q}] * f * (1.0 - f);
    result[d + ${2 * Q}] = dct * i * (1.0 - g * g);
    result[d + ${3 * Q}] = dh * tc * o * (1.0 - o);
    result[d + ${4 * Q}] = dct * f;`;
  const inputs: Array<[string, string, number]> = [
    ['Dy', 'dy', 4],
    ['RT', 'recurrentT', 4],
    ['St', 'state', 4],
    ['Prev', 'prev', 4],
    ['Dzc', 'dzc', 1],
  ];
  return run(args, `lstmBwd_${B}_${U}`, inputs, [B, D], B * Q, body, [['first', first]]);
}

// Adds step t's share of all weight gradients to the accumulator [U + V + 1, 4U]: thread (row, 4
// gate columns) sums over the batch. Rows 0..U-1 are dRecurrent (h_{t-1}ᵀ · dz_t), rows U..U+V-1
// dKernel (dz rows grouped by input char on the host) and the last row dBias. Accumulating per step
// avoids concatenating the 40 step buffers, which tfjs-webgpu does slowly (≈5 s on SwiftShader).
function accumulateGrads(args: Args): TensorInfo {
  const { batch: B, vocab: V, units: U, step } = dims(args.attrs);
  const D4 = (5 * U) / 4;
  const body = `
    let row = index / ${U};
    let k = index - row * ${U};
    var sum = Acc[index];
    if (row < ${U}) {
      for (var b = 0; b < ${B}; b++) { sum += H[b * ${6 * U} + ${5 * U} + row] * Dz[b * ${D4} + k]; }
    } else if (row < ${U + V}) {
      let o = uniforms.step * ${V + 1} + row - ${U};
      for (var r = Offsets[o]; r < Offsets[o + 1]; r++) { sum += Dz[Rows[r] * ${D4} + k]; }
    } else {
      for (var b = 0; b < ${B}; b++) { sum += Dz[b * ${D4} + k]; }
    }
    result[index] = sum;`;
  const inputs: Array<[string, string, number]> = [
    ['Acc', 'acc', 4],
    ['H', 'prev', 1],
    ['Dz', 'dzc', 4],
    ['Rows', 'rows', 1],
    ['Offsets', 'offsets', 1],
  ];
  const shape = [U + V + 1, 4 * U];
  return run(args, `lstmAcc_${B}_${V}_${U}`, inputs, shape, (U + V + 1) * U, body, [
    ['step', step],
  ]);
}

/** Registers the webgpu kernels once (idempotent; harmless when webgpu is absent). */
export function registerLstmWebgpuKernels(): void {
  if (tf.getKernel(FWD, 'webgpu')) return;
  const kernels = { [FWD]: forwardStep, [BWD]: backwardStep, [ACCUMULATE]: accumulateGrads };
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
}

/** The states `[B, 6U]` for t = 0 (zeros) .. maxLen of the LSTM over `xs` `[B, maxLen]` int32. */
export function lstmWebgpuForward(
  xs: tf.Tensor2D,
  kernel: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  bias: tf.Tensor1D,
): tf.Tensor2D[] {
  const [batch, maxLen] = xs.shape;
  const units = recurrent.shape[0];
  const states: tf.Tensor2D[] = [tf.zeros([batch, 6 * units])];
  for (let step = 0; step < maxLen; step++) {
    const inputs = { xs, kernel, recurrent, bias, prev: states[step] };
    states.push(tf.engine().runKernel(FWD, inputs, { batch, maxLen, units, step }) as tf.Tensor2D);
  }
  return states;
}

/** Per step t, the batch rows b grouped by input char: `rows` `[T*B]`, `offsets` `[T*(V+1)]` into rows. */
export function groupRowsByChar(
  xs: Int32Array,
  batch: number,
  maxLen: number,
  vocab: number,
): { rows: Int32Array; offsets: Int32Array } {
  const rows = new Int32Array(batch * maxLen);
  const offsets = new Int32Array(maxLen * (vocab + 1));
  const fill = new Int32Array(vocab);
  for (let t = 0; t < maxLen; t++) {
    const o = t * (vocab + 1);
    offsets[o] = t * batch;
    for (let b = 0; b < batch; b++) offsets[o + xs[b * maxLen + t] + 1]++;
    for (let v = 0; v < vocab; v++) offsets[o + v + 1] += offsets[o + v];
    fill.set(offsets.subarray(o, o + vocab));
    for (let b = 0; b < batch; b++) rows[fill[xs[b * maxLen + t]]++] = b;
  }
  return { rows, offsets };
}

/** Gradients [dKernel `[V, 4U]`, dRecurrent `[U, 4U]`, dBias `[4U]`] from dy `[B, U]` and the saved states. */
export function lstmWebgpuBackward(
  dy: tf.Tensor2D,
  hostXs: Int32Array,
  recurrent: tf.Tensor2D,
  states: tf.Tensor[],
  vocab: number,
): tf.Tensor[] {
  const [batch, units] = dy.shape;
  const maxLen = states.length - 1;
  const recurrentT = tf.transpose(recurrent);
  const g = groupRowsByChar(hostXs, batch, maxLen, vocab);
  const rows = tf.tensor1d(g.rows, 'int32');
  const offsets = tf.tensor1d(g.offsets, 'int32');
  let acc: tf.Tensor = tf.zeros([units + vocab + 1, 4 * units]);
  let dzc: tf.Tensor = dy;
  for (let t = maxLen - 1; t >= 0; t--) {
    const prev = states[t];
    const attrs = { batch, units, vocab, step: t, first: t === maxLen - 1 ? 1 : 0 };
    const next = tf
      .engine()
      .runKernel(BWD, { dy, recurrentT, state: states[t + 1], prev, dzc }, attrs);
    if (dzc !== dy) dzc.dispose();
    dzc = next as tf.Tensor;
    const sum = tf.engine().runKernel(ACCUMULATE, { acc, prev, dzc, rows, offsets }, attrs);
    acc.dispose();
    acc = sum as tf.Tensor;
  }
  const [dRecurrent, dKernel, dBias] = tf.split(acc, [units, vocab, 1], 0);
  return [dKernel, dRecurrent, tf.reshape(dBias, [4 * units])];
}
