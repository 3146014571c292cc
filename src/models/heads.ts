// The activation/loss table for output heads, kept as data so the UI can show it and every head
// (attribute classifiers and segmentation masks alike) is checked against it.
import * as tf from '@tensorflow/tfjs';

/** The kinds of prediction a head can make. */
export type HeadTask = 'binary' | 'multiClass' | 'multiLabel' | 'regression' | 'regression01';
/** The last activation of a head ('linear' is Keras' `activation=None`). */
export type HeadActivation = 'sigmoid' | 'softmax' | 'linear';
/** Loss names as Keras and tfjs spell them. */
export type HeadLoss = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';

/** One row of the head table. */
export interface HeadRow {
  task: HeadTask;
  label: string;
  activation: HeadActivation;
  /** Allowed losses, the recommended one first. */
  losses: readonly HeadLoss[];
  explanation: string;
}

/** The head table: task → last activation → loss, with why. */
export const HEAD_TABLE: readonly HeadRow[] = [
  {
    task: 'binary',
    label: 'binary classification',
    activation: 'sigmoid',
    losses: ['binaryCrossentropy'],
    explanation:
      'One unit; sigmoid turns its score into P(yes) in (0, 1), and binary cross-entropy is the negative log-likelihood of a yes/no label.',
  },
  {
    task: 'multiClass',
    label: 'multi-class, single label',
    activation: 'softmax',
    losses: ['categoricalCrossentropy'],
    explanation:
      'One unit per class; softmax makes the scores a distribution that sums to 1 (exactly one class is true), and categorical cross-entropy is the negative log-probability of the true class.',
  },
  {
    task: 'multiLabel',
    label: 'multi-class, multi-label',
    activation: 'sigmoid',
    losses: ['binaryCrossentropy'],
    explanation:
      'One unit per label; each sigmoid is an independent yes/no (several labels can be true at once), so each unit gets its own binary cross-entropy.',
  },
  {
    task: 'regression',
    label: 'regression, any value',
    activation: 'linear',
    losses: ['meanSquaredError'],
    explanation:
      'No activation, so the output can take any real value; mean squared error penalises the distance to the target.',
  },
  {
    task: 'regression01',
    label: 'regression in [0, 1]',
    activation: 'sigmoid',
    losses: ['meanSquaredError', 'binaryCrossentropy'],
    explanation:
      'Sigmoid keeps the output inside (0, 1) like the target; mean squared error works, and binary cross-entropy also accepts soft targets in [0, 1].',
  },
];

/** The table row for `task`. */
export function headFor(task: HeadTask): HeadRow {
  const row = HEAD_TABLE.find((r) => r.task === task);
  if (!row) throw new Error(`Unknown head task "${task}"`);
  return row;
}

/** The head of a segmentation mask: 2 classes are one sigmoid unit per pixel, more are a per-pixel softmax. */
export function segmentationTask(numClasses: number): HeadTask {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`A mask needs at least 2 classes, got ${numClasses}`);
  }
  return numClasses === 2 ? 'binary' : 'multiClass';
}

/** A human explanation of why `activation` + `loss` is wrong for `task`, or null when the table allows it. */
export function checkHead(task: HeadTask, activation: string, loss: string): string | null {
  const row = headFor(task);
  const want = `${row.activation} with ${row.losses.join(' or ')}`;
  if (activation !== row.activation) {
    return `A ${row.label} head needs the ${row.activation} activation, not ${activation} (use ${want}). ${row.explanation}`;
  }
  if (!(row.losses as readonly string[]).includes(loss)) {
    return `A ${row.label} head with ${activation} needs ${row.losses.join(' or ')}, not ${loss}. ${row.explanation}`;
  }
  return null;
}

// Keras clips probabilities to [eps, 1 - eps] before the log; the same epsilon keeps losses comparable.
const EPSILON = 1e-7;

/** The mean of `loss` over every element of `yPred` (any shape; for CCE the last axis holds the classes). */
export function headLoss(loss: HeadLoss, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    if (loss === 'meanSquaredError')
      return tf.mean(tf.squaredDifference(yTrue, yPred)) as tf.Scalar;
    const p = tf.clipByValue(yPred, EPSILON, 1 - EPSILON);
    if (loss === 'binaryCrossentropy') {
      const ll = tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))));
      return tf.neg(tf.mean(ll)) as tf.Scalar;
    }
    return tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(p)), -1))) as tf.Scalar;
  });
}
