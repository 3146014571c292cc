// LSTM forward and backward on the webgpu backend with one fused compute shader per time step and
// direction, instead of the ≈25 kernels per step of the tf.layers loop. A step's whole state lives
// in one [B, 6U] buffer (gates i, f, c, o after activation, then c and h), because a tfjs program
// has one output; the backward shader of step t-1 also computes dh = dz_t · Rᵀ, so the recurrence
// needs no separate matmul; a third shader per step adds that step's share of all weight
// gradients. Threads handle 4 adjacent units as vec4 (so units must be a multiple of 4).
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from '../types';
import { dims, run } from './program';

/** Kernel name of one webgpu forward step: the next state `[B, 6U]`. */
export const LSTM_STEP_FORWARD = 'CharLstmStepForward';
const BWD = 'CharLstmStepBackward';
const ACCUMULATE = 'CharLstmAccumulateGrads';

// Each step thread handles ROWS batch rows, so every recurrent-kernel load feeds ROWS FMAs: the
// forward shader ran 1.8x faster on SwiftShader with 4 rows than with 1 (8 was no better), and
// [B/4, U/4] threads still fill a GPU's cores for the usual batch of 128.
const ROWS = 4;
const rows = (f: (r: number) => string): string =>
  Array.from({ length: ROWS }, (_, r) => f(r)).join('');

// Thread (ROWS rows, 4 units): gate pre-activations from the x row of the kernel plus h_{t-1} · R.
function forwardStep(args: KernelArgs): TensorInfo {
  const { batch: B, maxLen: T, units: U, step } = dims(args.attrs);
  const [Q, S] = [U / 4, 6 * U];
  const body = `
    let blk = index / ${Q};
    let u = index - blk * ${Q};
    ${rows(
      (r) => `
    let b${r} = min(blk * ${ROWS} + ${r}, ${B - 1});
    let x${r} = X[b${r} * ${T} + uniforms.step] * ${U} + u;
    var zi${r} = W[x${r}] + Bias[u];
    var zf${r} = W[x${r} + ${Q}] + Bias[${Q} + u];
    var zg${r} = W[x${r} + ${2 * Q}] + Bias[${2 * Q} + u];
    var zo${r} = W[x${r} + ${3 * Q}] + Bias[${3 * Q} + u];
    let h${r} = b${r} * ${S} + ${5 * U};`,
    )}
    for (var k = 0; k < ${U}; k++) {
      let r = k * ${U} + u;
      let ri = R[r];
      let rf = R[r + ${Q}];
      let rg = R[r + ${2 * Q}];
      let ro = R[r + ${3 * Q}];
      ${rows(
        (r) => `
      let hk${r} = Prev[h${r} + k];
      zi${r} += hk${r} * ri;
      zf${r} += hk${r} * rf;
      zg${r} += hk${r} * rg;
      zo${r} += hk${r} * ro;`,
      )}
    }
    ${rows(
      (r) => `
    if (blk * ${ROWS} + ${r} < ${B}) {
      let i = sigm(zi${r});
      let f = sigm(zf${r});
      let g = tanhSafe(zg${r});
      let o = sigm(zo${r});
      let p = b${r} * ${S} + ${4 * U} + 4 * u;
      let c = f * vec4<f32>(Prev[p], Prev[p + 1], Prev[p + 2], Prev[p + 3]) + i * g;
      let s = b${r} * ${6 * Q} + u;
      result[s] = i;
      result[s + ${Q}] = f;
      result[s + ${2 * Q}] = g;
      result[s + ${3 * Q}] = o;
      result[s + ${4 * Q}] = c;
      result[s + ${5 * Q}] = o * tanhSafe(c);
    }`,
    )}`;
  const inputs: Array<[string, string, number]> = [
    ['X', 'xs', 1],
    ['W', 'kernel', 4],
    ['R', 'recurrent', 4],
    ['Bias', 'bias', 4],
    ['Prev', 'prev', 1],
  ];
  const threads = Math.ceil(B / ROWS) * Q;
  return run(args, `lstmFwd_${B}_${T}_${U}`, inputs, [B, S], threads, body, [['step', step]]);
}

// Thread (ROWS rows, 4 units): dh from the later step's dz (or dy at the last step), then dz_t
// and dc_{t-1}.
function backwardStep(args: KernelArgs): TensorInfo {
  const { batch: B, units: U, first } = dims(args.attrs);
  const Q = U / 4;
  const body = `
    let blk = index / ${Q};
    let u = index - blk * ${Q};
    ${rows(
      (r) => `
    let b${r} = min(blk * ${ROWS} + ${r}, ${B - 1});
    var dh${r} = vec4<f32>(0.0);
    var dc${r} = vec4<f32>(0.0);`,
    )}
    if (uniforms.first == 1) {
      ${rows((r) => `dh${r} = Dy[b${r} * ${Q} + u];`)}
    } else {
      // dz is read as vec4 too: 4 values of k per load, so 16 FMAs per 8 loads.
      for (var kq = 0; kq < ${U}; kq++) {
        let k = 4 * kq * ${Q} + u;
        let rt0 = RT[k];
        let rt1 = RT[k + ${Q}];
        let rt2 = RT[k + ${2 * Q}];
        let rt3 = RT[k + ${3 * Q}];
        ${rows(
          (r) => `
        let z${r} = Dzc[b${r} * ${5 * Q} + kq];
        dh${r} += z${r}.x * rt0 + z${r}.y * rt1 + z${r}.z * rt2 + z${r}.w * rt3;`,
        )}
      }
      ${rows((r) => `dc${r} = Dzc[b${r} * ${5 * Q} + ${4 * Q} + u];`)}
    }
    ${rows(
      (r) => `
    if (blk * ${ROWS} + ${r} < ${B}) {
      let s = b${r} * ${6 * Q} + u;
      let i = St[s];
      let f = St[s + ${Q}];
      let g = St[s + ${2 * Q}];
      let o = St[s + ${3 * Q}];
      let tc = tanhSafe(St[s + ${4 * Q}]);
      let dct = dc${r} + dh${r} * o * (1.0 - tc * tc);
      let d = b${r} * ${5 * Q} + u;
      result[d] = dct * g * i * (1.0 - i);
      result[d + ${Q}] = dct * Prev[s + ${4 * Q}] * f * (1.0 - f);
      result[d + ${2 * Q}] = dct * i * (1.0 - g * g);
      result[d + ${3 * Q}] = dh${r} * tc * o * (1.0 - o);
      result[d + ${4 * Q}] = dct * f;
    }`,
    )}`;
  const inputs: Array<[string, string, number]> = [
    ['Dy', 'dy', 4],
    ['RT', 'recurrentT', 4],
    ['St', 'state', 4],
    ['Prev', 'prev', 4],
    ['Dzc', 'dzc', 4],
  ];
  const threads = Math.ceil(B / ROWS) * Q;
  return run(args, `lstmBwd_${B}_${U}`, inputs, [B, 5 * U], threads, body, [['first', first]]);
}

// Adds step t's share of all weight gradients to the accumulator [U + V + 1, 4U], summing over
// the batch. Rows 0..U-1 are dRecurrent (h_{t-1}ᵀ · dz_t), rows U..U+V-1 dKernel (dz rows
// grouped by input char on the host), the last row dBias. Accumulating per step avoids
// concatenating the step buffers, which tfjs-webgpu does slowly (≈5 s for 40 steps on SwiftShader).
const cells = (f: (r: number, c: number) => string): string =>
  Array.from({ length: 16 }, (_, i) => f(i >> 2, i & 3)).join('\n');

function accumulateGrads(args: KernelArgs): TensorInfo {
  const { batch: B, vocab: V, units: U, step } = dims(args.attrs);
  const [Q, D4] = [U / 4, (5 * U) / 4];
  const body = `
    if (index < ${Q * Q}) {
      // A 4 x 4 block of vec4 cells: 4 rows of dRecurrent by 16 gate columns, 16 FMAs per 5 loads.
      let jq = index / ${Q};
      let kq = index - jq * ${Q};
      ${cells((r, c) => `var s${r}${c} = vec4<f32>(0.0);`)}
      for (var b = 0; b < ${B}; b++) {
        let h = H[b * ${6 * Q} + ${5 * Q} + jq];
        let z = b * ${D4} + 4 * kq;
        ${[0, 1, 2, 3].map((c) => `let dz${c} = Dz[z + ${c}];`).join(' ')}
        ${cells((r, c) => `s${r}${c} += h.${'xyzw'[r]} * dz${c};`)}
      }
      let o = 4 * jq * ${U} + 4 * kq;
      ${cells((r, c) => `result[o + ${r * U + c}] = Acc[o + ${r * U + c}] + s${r}${c};`)}
      return;
    }
    let at = index + ${U * U - Q * Q};
    let row = at / ${U};
    let k = at - row * ${U};
    var sum = Acc[at];
    if (row < ${U + V}) {
      let o = uniforms.step * ${V + 1} + row - ${U};
      for (var r = Offsets[o]; r < Offsets[o + 1]; r++) { sum += Dz[Rows[r] * ${D4} + k]; }
    } else {
      for (var b = 0; b < ${B}; b++) { sum += Dz[b * ${D4} + k]; }
    }
    result[at] = sum;`;
  const inputs: Array<[string, string, number]> = [
    ['Acc', 'acc', 4],
    ['H', 'prev', 4],
    ['Dz', 'dzc', 4],
    ['Rows', 'rows', 1],
    ['Offsets', 'offsets', 1],
  ];
  const shape = [U + V + 1, 4 * U];
  const threads = Q * Q + (V + 1) * U;
  return run(args, `lstmAcc_${B}_${V}_${U}`, inputs, shape, threads, body, [['step', step]]);
}

/** The three step kernels, by name. */
export const WEBGPU_LSTM_KERNELS: Record<string, KernelFunc> = {
  [LSTM_STEP_FORWARD]: forwardStep,
  [BWD]: backwardStep,
  [ACCUMULATE]: accumulateGrads,
};

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
    states.push(
      tf
        .engine()
        .runKernel(LSTM_STEP_FORWARD, inputs, { batch, maxLen, units, step }) as tf.Tensor2D,
    );
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
