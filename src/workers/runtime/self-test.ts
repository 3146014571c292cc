import * as tf from '@tensorflow/tfjs';
import { lstmLastState } from '../../models/char-lstm/fast';
import { withStockKernels } from '../../models/kernels';
import { Rng } from '../../shared/rng';

// Sizes stay above 1,000 elements: smaller tensors run on the CPU inside the webgpu backend
// (WEBGPU_CPU_FORWARD) and would hide a broken GPU kernel.
const B = 8;
const IN = 48;
const H = 32;
const VOCAB = 40;
const STEPS = 5;

interface Inputs {
  x: Float32Array;
  h: Float32Array;
  c: Float32Array;
  w: Float32Array;
  u: Float32Array;
  b: Float32Array;
  emb: Float32Array;
  ids: Int32Array;
  img: Float32Array;
  kernel: Float32Array;
}

function makeInputs(): Inputs {
  const rng = new Rng(1234);
  const fill = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => rng.normal() * scale);
  return {
    x: fill(B * IN, 1),
    h: fill(B * H, 0.5),
    c: fill(B * H, 0.5),
    w: fill(IN * 4 * H, 0.2),
    u: fill(H * 4 * H, 0.2),
    b: fill(4 * H, 0.1),
    emb: fill(VOCAB * 4 * H, 0.2),
    ids: Int32Array.from({ length: B * STEPS }, () => rng.int(VOCAB)),
    img: fill(2 * 16 * 16 * 3, 1),
    kernel: fill(4 * 4 * 3 * 8, 0.2),
  };
}

/** One LSTM cell (Keras gate order i, f, c, o); the same ops the char-LSTM trains with. */
function lstmCell(
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  c: tf.Tensor2D,
  w: tf.Tensor2D,
  u: tf.Tensor2D,
  b: tf.Tensor1D,
) {
  const z = tf.add(tf.add(tf.matMul(x, w), tf.matMul(h, u)), b);
  const [i, f, g, o] = tf.split(z, 4, 1);
  const c2 = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
  return tf.mul(tf.sigmoid(o), tf.tanh(c2));
}

/** Computes named check values on the current backend: forward values and gradients. */
async function compute(inp: Inputs): Promise<Record<string, Float32Array>> {
  const out = tf.tidy(() => {
    const x = tf.tensor2d(inp.x, [B, IN]);
    const h = tf.tensor2d(inp.h, [B, H]);
    const c = tf.tensor2d(inp.c, [B, H]);
    const w = tf.tensor2d(inp.w, [IN, 4 * H]);
    const u = tf.tensor2d(inp.u, [H, 4 * H]);
    const b = tf.tensor1d(inp.b);
    const emb = tf.tensor2d(inp.emb, [VOCAB, 4 * H]);
    const ids = tf.tensor1d(inp.ids, 'int32');
    const img = tf.tensor4d(inp.img, [2, 16, 16, 3]);
    const kernel = tf.tensor4d(inp.kernel, [4, 4, 3, 8]);
    const cellLoss = (w_: tf.Tensor, u_: tf.Tensor, b_: tf.Tensor) =>
      tf.sum(tf.square(lstmCell(x, h, c, w_ as tf.Tensor2D, u_ as tf.Tensor2D, b_ as tf.Tensor1D)));
    const [gw, gu, gb] = tf.grads(cellLoss)([w, u, b]);
    const gEmb = tf.grad((e: tf.Tensor) => tf.sum(tf.square(tf.gather(e, ids))))(emb);
    // The char-LSTM's sequence: our fused kernels where installed, else the same math in tf ops.
    const seq = tf.tensor2d(inp.ids, [B, STEPS], 'int32');
    const seqLoss = (k: tf.Tensor, r: tf.Tensor, b_: tf.Tensor) => {
      const vars = {
        kernel: k as tf.Tensor2D,
        recurrent: r as tf.Tensor2D,
        bias: b_ as tf.Tensor1D,
      };
      return tf.sum(tf.square(lstmLastState(seq, inp.ids, vars, VOCAB)));
    };
    const [gSeqK, gSeqR, gSeqB] = tf.grads(seqLoss)([emb, u, b]);
    // Fused, as tf.layers convolves: on webgpu that is our direct shader (models/kernels/webgpu).
    const conv = (im: tf.Tensor, k: tf.Tensor) =>
      tf.fused.conv2d({ x: im as tf.Tensor4D, filter: k as tf.Tensor4D, strides: 2, pad: 'same' });
    const convLoss = (im: tf.Tensor, k: tf.Tensor) => tf.sum(tf.leakyRelu(conv(im, k), 0.2));
    const [gImg, gK] = tf.grads(convLoss)([img, kernel]);
    return {
      forward: lstmCell(x, h, c, w, u, b),
      gradW: gw,
      gradU: gu,
      gradB: gb,
      gradGather: gEmb,
      lstmSequence: lstmLastState(seq, inp.ids, { kernel: emb, recurrent: u, bias: b }, VOCAB),
      gradLstmKernel: gSeqK,
      gradLstmRecurrent: gSeqR,
      gradLstmBias: gSeqB,
      conv: conv(img, kernel),
      gradConv: gK,
      gradConvInput: gImg,
    };
  });
  const result: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(out)) {
    result[k] = (await t.data()) as Float32Array;
    t.dispose();
  }
  return result;
}

/** Compares `backend`, on the kernels installed now, with stock tfjs on cpu: LSTM cell and sequence, gather and conv, forward and gradients; null when it passes, else why it failed. */
export async function selfTestBackend(backend: string, tolerance = 2e-3): Promise<string | null> {
  const inputs = makeInputs();
  const expected = await withStockKernels(async () => {
    await tf.setBackend('cpu');
    return compute(inputs);
  });
  await tf.setBackend(backend);
  const actual = await compute(inputs);
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name];
    let maxRef = 0;
    let maxErr = 0;
    let nonZero = false;
    for (let i = 0; i < want.length; i++) {
      if (!Number.isFinite(got[i])) return `${name}: not finite at ${i}`;
      if (got[i] !== 0) nonZero = true;
      maxRef = Math.max(maxRef, Math.abs(want[i]));
      maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    }
    if (!nonZero) return `${name}: all zeros (tfjs #8590-style broken gradient)`;
    if (maxErr > tolerance * Math.max(1, maxRef)) {
      return `${name}: differs from cpu by ${maxErr.toPrecision(3)}`;
    }
  }
  return null;
}
