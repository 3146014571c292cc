// The minibatch standard deviation of Karras et al. 2018 ("Progressive Growing of GANs", sec. 3): D
// sees, as one extra feature map, how much its features vary across a small group of images. A
// generator that draws few kinds of face gives groups with little variation, which D can then tell
// from real groups; without it, D judges each image alone and cannot see a missing kind.
import * as tf from '@tensorflow/tfjs';

// Groups of 4 consecutive images: the trainer's D batch is [real; fake] with halves divisible by 4, so
// no group mixes real and fake images.
const GROUP = 4;

/** `[batch, h, w, c]` to `[batch, h, w, c + 1]`: the last channel is the mean standard deviation of the features within each group of 4 consecutive images (the whole batch when 4 does not divide it). */
export class MinibatchStdDev extends tf.layers.Layer {
  static className = 'MinibatchStdDev';

  computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shape as tf.Shape;
    return [s[0], s[1], s[2], (s[3] as number) + 1];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      const group = b % GROUP === 0 ? GROUP : b;
      const g = tf.reshape(x, [b / group, group, h, w, c]);
      const centred = tf.sub(g, tf.mean(g, 1, true));
      const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 1), 1e-8));
      // [groups, 1] broadcast to every pixel of every image of its group (tfjs has no rank-5 tile gradient).
      const perGroup = tf.reshape(tf.mean(std, [1, 2, 3]), [b / group, 1]);
      const map = tf.reshape(tf.mul(perGroup, tf.ones([1, group * h * w])), [b, h, w, 1]);
      return tf.concat([x, map], 3);
    });
  }
}
type Registrable = Parameters<typeof tf.serialization.registerClass>[0];
tf.serialization.registerClass(MinibatchStdDev as unknown as Registrable);
