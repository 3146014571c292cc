// Our cpu fast paths for the non-conv ops against stock tfjs on random shapes (odd sizes, batch 1,
// broadcasting, ties in max pooling); the cases they decline must reach the stock kernel unchanged.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { withStockKernels } from '../../../src/models/kernels';
import { CPU_OP_KERNELS } from '../../../src/models/kernels/cpu/ops';
import { Rng } from '../../../src/shared/rng';
import { useBackend } from '../../helpers/backends';
import { countAnswered } from '../../helpers/kernels';

type Op = (rng: Rng) => tf.Tensor | tf.Tensor[];

const odd = (rng: Rng): number => 1 + 2 * rng.int(4);

function randomShape(rng: Rng, rank: number): number[] {
  return Array.from({ length: rank }, () => odd(rng));
}

// Integer values make ties (max pooling) and exact sums likely.
function values(shape: number[], rng: Rng, integers = false): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({ length: n }, () => (integers ? rng.int(5) - 2 : rng.normal()));
  return tf.tensor(v, shape);
}

/** `shape` with some dimensions set to 1 (or dropped from the front), for broadcasting. */
function broadcastable(shape: number[], rng: Rng): number[] {
  const kept = shape.slice(rng.int(shape.length + 1));
  return kept.map((d) => (rng.next() < 0.4 ? 1 : d));
}

const binary =
  (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Op =>
  (rng) => {
    const shape = randomShape(rng, 1 + rng.int(4));
    const other = broadcastable(shape, rng);
    const [a, b] = rng.next() < 0.5 ? [shape, other] : [other, shape];
    return f(values(a, rng), tf.add(values(b, rng), 3));
  };

const OPS: Record<string, Op> = {
  Add: binary(tf.add),
  Sub: binary(tf.sub),
  Multiply: binary(tf.mul),
  RealDiv: binary(tf.div),
  Sum: (rng) => {
    const shape = randomShape(rng, 1 + rng.int(4));
    const axes = shape.map((_, i) => i).filter(() => rng.next() < 0.5);
    return tf.sum(values(shape, rng), axes.length ? axes : [0], rng.next() < 0.5);
  },
  Softmax: (rng) => tf.softmax(values(randomShape(rng, 1 + rng.int(3)), rng)),
  SplitV: (rng) => {
    const shape = randomShape(rng, 1 + rng.int(4));
    const axis = rng.int(shape.length);
    const first = rng.int(shape[axis] + 1);
    return tf.split(values(shape, rng), [first, shape[axis] - first], axis);
  },
  Tile: (rng) => {
    const shape = randomShape(rng, 1 + rng.int(4));
    return tf.tile(
      values(shape, rng),
      shape.map(() => 1 + rng.int(3)),
    );
  },
  MaxPoolGrad: (rng) => {
    const x = values([rng.int(2) ? 1 : 3, 2 + odd(rng), 2 + odd(rng), odd(rng)], rng, true);
    const pad = rng.next() < 0.5 ? 'valid' : 'same';
    const dy = values(tf.maxPool(x as tf.Tensor4D, 2, 2, pad).shape, rng);
    return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, pad), dy)))(
      x,
    );
  },
};

async function run(op: Op, seed: number): Promise<{ shapes: number[][]; data: Float32Array[] }> {
  const out = tf.tidy(() => {
    const r = op(new Rng(seed));
    return Array.isArray(r) ? r : [r];
  });
  const data = await Promise.all(out.map(async (t) => Float32Array.from(await t.data())));
  const shapes = out.map((t) => t.shape);
  tf.dispose(out);
  return { shapes, data };
}

describe('our cpu op kernels', () => {
  beforeAll(() => useBackend('cpu'));

  for (const [name, op] of Object.entries(OPS)) {
    it(`${name} equals stock tfjs on 20 random shapes`, async () => {
      let answered = 0;
      for (let seed = 0; seed < 20; seed++) {
        const stock = await withStockKernels(() => run(op, seed));
        const tensors = tf.memory().numTensors;
        const counted = await countAnswered([CPU_OP_KERNELS], () => run(op, seed));
        const ours = counted.result;
        answered += counted.answered[name];
        expect(tf.memory().numTensors).toBe(tensors);
        expect(ours.shapes, `seed ${seed}`).toEqual(stock.shapes);
        for (const [i, want] of stock.data.entries()) {
          const got = ours.data[i];
          for (let j = 0; j < want.length; j++) {
            const tolerance = 1e-6 * Math.max(1, Math.abs(want[j]));
            expect(
              Math.abs(got[j] - want[j]),
              `seed ${seed}, output ${i}[${j}]`,
            ).toBeLessThanOrEqual(tolerance);
          }
        }
      }
      // Our fast path took most cases (it declines some on purpose, e.g. max pooling with 'same').
      expect(answered).toBeGreaterThanOrEqual(5);
    });
  }
});
