// The fast char-LSTM training step: the same math and the same tf.Variables as the tf.layers model
// of model.ts (so checkpoints stay standard layers models), without one-hot matmuls (rows of
// the input kernel are gathered) and with hand-written backpropagation through time inside one
// tf.customGrad: where our kernels are installed (src/models/kernels) one JS kernel per direction on
// cpu and fused WGSL shaders per time step on webgpu, elsewhere plain tf ops. Measured against
// tf.layers + trainOnBatch in bench/lstm.ts.
import * as tf from '@tensorflow/tfjs';
import type { CharLstmConfig } from './model';
import { LSTM_SEQ_BACKWARD, LSTM_SEQ_FORWARD } from '../kernels/cpu/lstm';
import { LSTM_STEP_FORWARD, lstmWebgpuBackward, lstmWebgpuForward } from '../kernels/webgpu/lstm';
import type { Trainer } from '../trainer';

/** One batch of windows: `xs` `[batch*maxLen]` and `ys` `[batch]` char indices (longer arrays are read only that far). */
export interface TextBatch {
  xs: Int32Array;
  ys: Int32Array;
  batch: number;
}

/** The LSTM layer's weights: kernel `[vocab, 4·units]`, recurrent kernel `[units, 4·units]`, bias `[4·units]`. */
export interface LstmVars {
  kernel: tf.Tensor2D;
  recurrent: tf.Tensor2D;
  bias: tf.Tensor1D;
}

type Save = (tensors: tf.Tensor[]) => void;
type SeqResult = {
  value: tf.Tensor2D;
  gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => tf.Tensor[];
};
type SeqImpl = (
  xs: tf.Tensor2D,
  v: LstmVars,
  vocab: number,
  save: Save,
  host: Int32Array,
) => SeqResult;

function modelVariables(model: tf.LayersModel): tf.Variable[] {
  const vars = model.trainableWeights.map((w) => w.read());
  if (vars.length !== 5 || !vars.every((v): v is tf.Variable => v instanceof tf.Variable)) {
    throw new Error('expected the LSTM + Dense char model with 5 trainable variables');
  }
  return vars;
}

function lstmVars(vars: tf.Tensor[]): LstmVars {
  return {
    kernel: vars[0] as tf.Tensor2D,
    recurrent: vars[1] as tf.Tensor2D,
    bias: vars[2] as tf.Tensor1D,
  };
}

/** The sequence implementation for the kernels registered on the current backend now. */
function chooseImpl(units: number): SeqImpl {
  const backend = tf.getBackend();
  if (tf.getKernel(LSTM_SEQ_FORWARD, backend)) return cpuLstm;
  // The webgpu shaders move 4 units per thread as vec4.
  if (tf.getKernel(LSTM_STEP_FORWARD, backend) && units % 4 === 0) return webgpuLstm;
  return genericLstm;
}

/** The LSTM over `xs` `[batch, maxLen]` int32 (`hostXs` the same ids on the host): the last h `[batch, units]`, with a hand-written gradient. */
export function lstmLastState(
  xs: tf.Tensor2D,
  hostXs: Int32Array,
  vars: LstmVars,
  vocab: number,
): tf.Tensor2D {
  const impl = chooseImpl(vars.recurrent.shape[0]);
  const seq = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [kernel, recurrent, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, Save];
    return impl(xs, { kernel, recurrent, bias }, vocab, save, hostXs);
  });
  return seq(vars.kernel, vars.recurrent, vars.bias) as tf.Tensor2D;
}

// cpu: one kernel per direction over the whole sequence (kernels/cpu/lstm.ts).
function cpuLstm(xs: tf.Tensor2D, v: LstmVars, vocab: number, save: Save): SeqResult {
  const [batch, maxLen] = xs.shape;
  const units = v.recurrent.shape[0];
  const attrs = { batch, maxLen, units, vocab };
  const inputs = { xs, kernel: v.kernel, recurrent: v.recurrent, bias: v.bias };
  const [h, c, gates] = tf.engine().runKernel(LSTM_SEQ_FORWARD, inputs, attrs) as tf.Tensor[];
  save([h, c, gates]);
  return {
    value: tf.reshape(tf.slice(h, [maxLen, 0, 0], [1, batch, units]), [batch, units]),
    gradFunc: (dy, [hs, cs, gs]) => {
      const grads = { dh: dy, xs, recurrent: v.recurrent, h: hs, c: cs, gates: gs };
      return tf.engine().runKernel(LSTM_SEQ_BACKWARD, grads, attrs) as tf.Tensor[];
    },
  };
}

// webgpu: one fused kernel per time step and direction (kernels/webgpu/lstm.ts).
function webgpuLstm(
  xs: tf.Tensor2D,
  v: LstmVars,
  vocab: number,
  save: Save,
  hostXs: Int32Array,
): SeqResult {
  const [batch] = xs.shape;
  const units = v.recurrent.shape[0];
  const states = lstmWebgpuForward(xs, v.kernel, v.recurrent, v.bias);
  save(states);
  return {
    value: tf.slice(states[states.length - 1] as tf.Tensor2D, [0, 5 * units], [batch, units]),
    gradFunc: (dy, saved) => lstmWebgpuBackward(dy, hostXs, v.recurrent, saved, vocab),
  };
}

// Stock kernels or any other backend (webgl, wasm): plain tf ops, still one input gather and one dRecurrent matmul.
function genericLstm(
  xs: tf.Tensor2D,
  v: LstmVars,
  vocab: number,
  save: Save,
  hostXs: Int32Array,
): SeqResult {
  const [batch, maxLen] = xs.shape;
  const units = v.recurrent.shape[0];
  // Time-major ids made on the host: an int32 transpose is the shader Dawn rejects (DESIGN.md).
  const timeMajor = new Int32Array(maxLen * batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < maxLen; t++) timeMajor[t * batch + b] = hostXs[b * maxLen + t];
  }
  const ids = tf.tensor1d(timeMajor, 'int32');
  const proj = tf.add(tf.gather(v.kernel, ids), v.bias);
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  let c: tf.Tensor2D = tf.zeros([batch, units]);
  const steps: tf.Tensor[] = [c, h];
  for (let t = 0; t < maxLen; t++) {
    const z = tf.add(tf.slice(proj, [t * batch, 0], [batch, 4 * units]), tf.matMul(h, v.recurrent));
    const [i, f, g, o] = tf.split(z, 4, 1).map((zq, q) => (q === 2 ? tf.tanh(zq) : tf.sigmoid(zq)));
    c = tf.add(tf.mul(f, c), tf.mul(i, g));
    h = tf.mul(o, tf.tanh(c));
    steps.push(i, f, g, o, c, h);
  }
  save([ids, ...steps]);
  const gradFunc = (dy: tf.Tensor2D, [idx, ...s]: tf.Tensor[]): tf.Tensor[] => {
    let dh: tf.Tensor = dy;
    let dc: tf.Tensor = tf.zerosLike(dy);
    const dzs: tf.Tensor[] = [];
    const hPrev: tf.Tensor[] = [];
    const dSig = (y: tf.Tensor, d: tf.Tensor): tf.Tensor => tf.mul(d, tf.mul(y, tf.sub(1, y)));
    for (let t = maxLen - 1; t >= 0; t--) {
      // s = [c0, h0, then (i, f, g, o, c, h) per step], so c_{t-1}, h_{t-1} are s[6t], s[6t+1].
      const [cPrev, hp, i, f, g, o, ct] = s.slice(t * 6, t * 6 + 7);
      hPrev[t] = hp;
      const tc = tf.tanh(ct);
      const dct = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))));
      const dg = tf.mul(tf.mul(dct, i), tf.sub(1, tf.square(g)));
      const parts = [
        dSig(i, tf.mul(dct, g)),
        dSig(f, tf.mul(dct, cPrev)),
        dg,
        dSig(o, tf.mul(dh, tc)),
      ];
      dzs[t] = tf.concat(parts, 1);
      dc = tf.mul(dct, f);
      dh = tf.matMul(dzs[t], v.recurrent, false, true);
    }
    const dzAll = tf.concat(dzs, 0);
    const dRecurrent = tf.matMul(tf.concat(hPrev, 0), dzAll, true, false);
    const dKernel = tf.unsortedSegmentSum(dzAll, idx as tf.Tensor1D, vocab);
    return [dKernel, dRecurrent, tf.sum(dzAll, 0)];
  };
  return { value: h, gradFunc };
}

/** Mean categorical cross-entropy of the dense softmax head on h `[batch, units]`, clipped like tfjs-layers. */
function headLoss(h: tf.Tensor2D, ys: tf.Tensor1D, dense: tf.Tensor[]): tf.Scalar {
  const [kernel, bias] = dense as [tf.Tensor2D, tf.Tensor1D];
  const probs = tf.softmax(tf.add(tf.matMul(h, kernel), bias));
  const logp = tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7));
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(ys, kernel.shape[1]), logp), -1))) as tf.Scalar;
}

function lossFn(
  lstm: LstmVars,
  vars: tf.Variable[],
  cfg: CharLstmConfig,
  xs: Int32Array,
  ys: Int32Array,
  batch: number,
): () => tf.Scalar {
  const host = xs.subarray(0, batch * cfg.maxLen);
  const x = tf.tensor2d(host, [batch, cfg.maxLen], 'int32');
  const y = tf.tensor1d(ys.subarray(0, batch), 'int32');
  return () => headLoss(lstmLastState(x, host, lstm, cfg.vocabSize), y, vars.slice(3));
}

/** The fast path's loss and gradients (keyed by variable name) on one batch, changing nothing. */
export function computeFastGradients(
  model: tf.LayersModel,
  cfg: CharLstmConfig,
  xs: Int32Array,
  ys: Int32Array,
  batch: number,
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const vars = modelVariables(model);
  return tf.tidy(() => tf.variableGrads(lossFn(lstmVars(vars), vars, cfg, xs, ys, batch), vars));
}

/** The fast trainer over `model`'s variables (LSTM kernel, recurrent kernel, bias, dense kernel, dense bias): one RMSprop step per batch, its `{ loss }` back; its optimizer is `rmsprop`. */
export function createFastTrainer(model: tf.LayersModel, cfg: CharLstmConfig): Trainer<TextBatch> {
  const vars = modelVariables(model);
  const lstm = lstmVars(vars);
  const rmsprop = tf.train.rmsprop(cfg.learningRate);
  return {
    optimizers: { rmsprop },
    // The seed is unused: the model has no dropout, and the batch order is the caller's (epochOrder).
    step({ xs, ys, batch }) {
      const loss = tf.tidy(() => {
        const cost = rmsprop.minimize(lossFn(lstm, vars, cfg, xs, ys, batch), true, vars);
        if (!cost) throw new Error('minimize returned no loss');
        return cost;
      });
      return { loss };
    },
    dispose() {
      rmsprop.dispose();
    },
  };
}

/** Next-char probabilities `[n, vocab]` for `contexts` `[n*maxLen]` char indices, by the fast forward. */
export function predictProbs(model: tf.LayersModel, contexts: Int32Array, n: number): tf.Tensor2D {
  const vars = modelVariables(model);
  const [kernel, bias] = vars.slice(3) as tf.Tensor[] as [tf.Tensor2D, tf.Tensor1D];
  return tf.tidy(() => {
    const x = tf.tensor2d(contexts, [n, contexts.length / n], 'int32');
    const h = lstmLastState(x, contexts, lstmVars(vars), kernel.shape[1]);
    return tf.softmax(tf.add(tf.matMul(h, kernel), bias)) as tf.Tensor2D;
  });
}
