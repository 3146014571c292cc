import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTRIBUTE_TASKS, attributeBatch } from '../../src/data/seg-dataset';
import { renderFaces } from '../../src/data/faces';
import { HEAD_TABLE, checkHead, headFor, headLoss, segmentationTask } from '../../src/models/heads';
import { buildClassifier, buildEncoder } from '../../src/models/segmenter/model';
import { createSegTrainer } from '../../src/models/segmenter/train';
import { useBackend } from '../helpers/backends';

describe('head table', () => {
  it('holds the five rows of the table, each allowed by checkHead and explained', () => {
    expect(HEAD_TABLE.map((r) => [r.task, r.activation, r.losses.join('|')])).toEqual([
      ['binary', 'sigmoid', 'binaryCrossentropy'],
      ['multiClass', 'softmax', 'categoricalCrossentropy'],
      ['multiLabel', 'sigmoid', 'binaryCrossentropy'],
      ['regression', 'linear', 'meanSquaredError'],
      ['regression01', 'sigmoid', 'meanSquaredError|binaryCrossentropy'],
    ]);
    for (const row of HEAD_TABLE) {
      for (const loss of row.losses) expect(checkHead(row.task, row.activation, loss)).toBeNull();
      expect(row.explanation.length).toBeGreaterThan(40);
    }
    expect(segmentationTask(2)).toBe('binary');
    expect(segmentationTask(8)).toBe('multiClass');
  });

  it('refuses combinations outside the table with an explanation', () => {
    expect(checkHead('binary', 'softmax', 'meanSquaredError')).toMatch(
      /binary classification head needs the sigmoid activation, not softmax/,
    );
    expect(checkHead('multiClass', 'sigmoid', 'binaryCrossentropy')).toMatch(
      /needs the softmax activation/,
    );
    expect(checkHead('multiClass', 'softmax', 'meanSquaredError')).toMatch(
      /needs categoricalCrossentropy, not meanSquaredError/,
    );
    expect(checkHead('regression', 'sigmoid', 'meanSquaredError')).toMatch(/linear/);
    expect(checkHead('regression01', 'sigmoid', 'categoricalCrossentropy')).toMatch(
      /meanSquaredError or binaryCrossentropy/,
    );
    expect(headFor('multiLabel').explanation).toMatch(/independent/);
  });

  it('computes the Keras losses (clipped BCE, CCE over the last axis, MSE)', async () => {
    await useBackend('cpu');
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const p = tf.tensor2d([
      [0.8, 0.2],
      [0.4, 0.6],
    ]);
    const bce = -(Math.log(0.8) * 2 + Math.log(0.6) * 2) / 4;
    expect((await headLoss('binaryCrossentropy', y, p).data())[0]).toBeCloseTo(bce, 5);
    expect((await headLoss('categoricalCrossentropy', y, p).data())[0]).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.6)) / 2,
      5,
    );
    expect((await headLoss('meanSquaredError', y, p).data())[0]).toBeCloseTo(
      (0.04 * 2 + 0.16 * 2) / 4,
      5,
    );
    tf.dispose([y, p]);
  });
});

describe('attribute heads on the built-in faces (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  const faces = renderFaces(100, 16, 32);

  it.each(Object.values(ATTRIBUTE_TASKS))(
    '$label ($head) trains and its loss falls',
    async (task) => {
      const encoder = buildEncoder({ size: 32, filters: [4, 8], numClasses: 2, seed: 5 });
      const model = buildClassifier(encoder, {
        name: task.name,
        head: task.head,
        units: task.units,
      });
      const row = headFor(task.head);
      expect(model.outputs[0].shape).toEqual([null, task.units]);
      const last = model.layers[model.layers.length - 1];
      expect((last.getConfig() as { activation: string }).activation).toBe(row.activation);
      const { images, targets } = attributeBatch(faces, task);
      const xs = tf.tensor4d(images, [faces.length, 32, 32, 3]);
      const ys = tf.tensor2d(targets, [faces.length, task.units]);
      const trainer = createSegTrainer(model, 0.01, { head: row.losses[0] });
      const losses: number[] = [];
      for (let i = 0; i < 25; i++) {
        const { loss } = trainer.step({ xs, ys }, i);
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      const first = losses[0];
      const end = Math.min(...losses.slice(-5));
      expect(end).toBeLessThan(first * 0.9);
      tf.dispose([xs, ys]);
      trainer.dispose();
      model.dispose();
    },
  );

  it('refuses to build a classifier with a loss outside the table', () => {
    const encoder = buildEncoder({ size: 32, filters: [4, 8], numClasses: 2, seed: 5 });
    expect(() =>
      buildClassifier(encoder, { name: 'bad', head: 'binary', units: 1, loss: 'meanSquaredError' }),
    ).toThrow(/needs binaryCrossentropy, not meanSquaredError/);
  });
});
