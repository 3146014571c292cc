// FLOP estimates from layer shapes, shared by the Node benches (bench/) and the in-app Benchmark:
// multiply-adds of Dense and convolution layers only (element-wise ops are ignored), 2 FLOPs each.
import type * as tf from '@tensorflow/tfjs';
import type { CharLstmConfig } from './char-lstm/model';

/** FLOPs of one forward pass of `model` for one example, from its Dense/Conv2D/Conv2DTranspose kernels. */
export function layerFlops(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const kernel = layer.getWeights()[0];
    if (!kernel) continue;
    const k = kernel.size;
    const name = layer.getClassName();
    const inShape = (layer.input as tf.SymbolicTensor).shape;
    const outShape = (layer.output as tf.SymbolicTensor).shape;
    // One multiply-add = 2 FLOPs per kernel element per position it is applied at.
    if (name === 'Dense') flops += 2 * k;
    else if (name === 'Conv2D') flops += 2 * k * Number(outShape[1]) * Number(outShape[2]);
    else if (name === 'Conv2DTranspose') flops += 2 * k * Number(inShape[1]) * Number(inShape[2]);
  }
  return flops;
}

/**
 * FLOPs of one DCGAN training step at `batch`: the fake batch G(B) once, D forward+backward on 2B
 * (backward ≈ 2x forward, so x3), and the gan step forward+backward through G and D on B.
 */
export function ganFlopsPerStep(g: tf.LayersModel, d: tf.LayersModel, batch: number): number {
  const fg = layerFlops(g);
  const fd = layerFlops(d);
  return batch * fg + 3 * 2 * batch * fd + 3 * batch * (fg + fd);
}

/**
 * FLOPs of one char-LSTM training step of the reference recipe: per time step the input matmul
 * [B, V] × [V, 4U] and the recurrent matmul [B, U] × [U, 4U], then the dense head; the backward
 * pass costs about twice the forward. (≈3.0 GFLOP at B 128, T 40, V 60, U 128.)
 */
export function charLstmFlopsPerStep(cfg: CharLstmConfig): number {
  const { batchSize: B, maxLen: T, vocabSize: V, units: U } = cfg;
  const forward = T * (2 * B * V * 4 * U + 2 * B * U * 4 * U) + 2 * B * U * V;
  return 3 * forward;
}

/** FLOPs of one segmenter training step at `batch`: forward and backward (≈ 2x forward) through its convolutions. */
export function segmenterFlopsPerStep(model: tf.LayersModel, batch: number): number {
  return 3 * batch * layerFlops(model);
}
