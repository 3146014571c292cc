import { html, type TemplateResult } from 'lit';
import type { HeadRow } from '../models/heads';
import { facesHelp } from './faces/help';

/** The tabs that have a help panel. */
export type HelpTopic = 'text' | 'faces' | 'segmentation';

const text = () => html`
  <h3>The model</h3>
  <p>
    A character-level language model: it reads 40 characters and predicts a probability for each
    possible next character. One LSTM layer (128 units) remembers what it has read; a dense softmax
    layer turns its state into the next-character distribution.
  </p>
  <h3>The recipe</h3>
  <ul>
    <li>
      Overlapping windows of 40 characters, moved 3 characters at a time; the target is the
      character after each window. Characters are one-hot vectors.
    </li>
    <li>RMSprop with learning rate 0.01, categorical cross-entropy, batches of 128 windows.</li>
    <li>
      Sampling: divide the log-probabilities by the temperature, softmax again, draw one character.
      Low temperatures (0.2) give safe, repetitive text; high ones (1.2) give inventive, noisy text.
    </li>
    <li>Smaller batches and fewer units train faster on phones but learn less per step.</li>
    <li>
      <b>Lower-case the text</b> (on by default, as in the Keras example): fewer distinct
      characters, so the model spends its capacity on words rather than on capitals.
    </li>
    <li>
      The <b>starter model</b> was trained this way on Nietzsche's <i>Beyond Good and Evil</i> for
      six epochs, the sixth at a tenth of the learning rate. Sample it at once, or press Fine-tune
      to train a copy on a text of your own whose characters it knows.
    </li>
  </ul>
  <h3>The numbers</h3>
  <dl>
    <dt>Loss</dt>
    <dd>
      Cross-entropy in nats per character. It starts near ln(number of characters), about 4; below
      1.5 the samples look like words, below 1.2 like sentences.
    </dd>
    <dt>Real words</dt>
    <dd>
      Next to each sample: the share of its words found in Moby-Dick or in the training text. Random
      letters score under 10%, real prose about 90% or more; it climbs as the model learns to spell.
    </dd>
    <dt>Examples/s, steps/s</dt>
    <dd>Windows and batches processed per second on this device.</dd>
    <dt>Epoch ETA</dt>
    <dd>Time until every window of the corpus has been seen once at the current speed.</dd>
  </dl>
`;

// Keras spells losses in camelCase; the table reads better in words, as in the seed lecture.
const LOSS_WORDS: Record<string, string> = {
  binaryCrossentropy: 'binary cross-entropy',
  categoricalCrossentropy: 'categorical cross-entropy',
  meanSquaredError: 'mse',
};

const headTable = (heads: readonly HeadRow[]) => html`
  <div class="table-wrap">
    <table>
      <caption>
        Which last activation and loss
      </caption>
      <thead>
        <tr>
          <th scope="col">task</th>
          <th scope="col">last activation</th>
          <th scope="col">loss</th>
        </tr>
      </thead>
      <tbody>
        ${heads.map(
          (h) =>
            html`<tr>
              <td>${h.label}</td>
              <td>${h.activation === 'linear' ? 'none (linear)' : h.activation}</td>
              <td>${h.losses.map((l) => LOSS_WORDS[l] ?? l).join(' or ')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>
`;

const segmentation = (heads: readonly HeadRow[]) => html`
  <h3>The model</h3>
  <p>
    A U-Net-style segmenter: a conv encoder shrinks the image into features, an UpSampling2D decoder
    with skip connections grows them back, and a 1x1 conv head gives every pixel a class.
  </p>
  <h3>The recipe and its tricks</h3>
  <ul>
    <li>
      Binary masks: sigmoid + binary cross-entropy. Part masks: softmax + categorical cross-entropy.
    </li>
    <li>
      Augmentation as Keras ImageDataGenerator (rotation, width/height shift, shear, zoom, flip,
      fill mode nearest), applied identically to the image and its mask. It helps imported pairs,
      where the same few images come back every epoch. The built-in pool of 512 faces is varied
      enough that in short runs augmentation mostly slows learning (held-out face IoU after 150
      steps on new faces: 0.73 with the defaults, 0.86 with every range set to 0).
    </li>
    <li>
      Balance rare classes: in part masks the nose is 0.5% of the pixels and the background 60%.
      Plain cross-entropy is then lowest when the model ignores the small parts, so each class's
      loss is weighted by its inverse frequency in the training masks that contain it (at most 50x;
      the average weight per pixel stays 1). Without it the nose, brows and mouth were still at IoU
      0 after 500 steps. Counting only the masks that contain a class matters for glasses, which are
      on a quarter of the faces: counted over all masks they got weight 19 and were often drawn
      around the eyes of faces without glasses; counted where they appear they get about 5.
    </li>
    <li>
      Dice loss weight: adds this multiple of the soft Dice loss, which scores each class by its
      overlap with the truth as IoU does, so a small part counts as much as the background and false
      positives cost. Measured (parts, batch 4, 800 steps): mean IoU 0.61 without it, 0.68 with
      weight 1, 0.69 with weight 2 (the default); 0.72 after 1,200 steps. Only for masks of more
      than two classes.
    </li>
    <li>
      LR ÷10 from step: at a constant rate the held-out scores swing from one evaluation to the
      next; dividing the rate by 10 late in a run lets the weights settle (from scratch, binary:
      face IoU 0.88 at step 400, 0.91 at step 600 after a drop at 400). The fine-tuning stage
      already uses a tenth of the rate.
    </li>
    <li>
      Transfer learning: pretrain the encoder on a face attribute, then freeze it and train the
      decoder, then unfreeze the top blocks at the learning rate divided by 10 and train jointly.
    </li>
    <li>
      The <b>starter model</b> (Face parts) was trained this way from scratch on the built-in faces'
      8 part masks at 64x64, and is scored on held-out faces it never saw: 4,000 steps with
      augmentation, then 800 on the faces as rendered (held-out mean IoU 0.746 to 0.797; on moved
      held-out faces it rose too, 0.723 to 0.743). <b>Predict</b> uses it until you load a session
      of your own; Fine-tune trains a copy of it on new built-in faces.
    </li>
  </ul>
  ${heads.length ? headTable(heads) : ''}
  <h3>The numbers</h3>
  <dl>
    <dt>Loss</dt>
    <dd>
      The (class-weighted) cross-entropy of the current stage, plus the weighted Dice loss for part
      masks; the attribute loss while pretraining.
    </dd>
    <dt>Pixel accuracy</dt>
    <dd>
      Share of held-out pixels with the right class; high even for a bad model when most pixels are
      background.
    </dd>
    <dt>IoU, mean IoU</dt>
    <dd>
      Intersection over union of predicted and true pixels of a class (1 is perfect); mean IoU
      averages it over classes and is the fairer score.
    </dd>
  </dl>
`;

/** The help text of a tab; the segmentation one includes the head table rows. */
export function helpContent(topic: HelpTopic, heads: readonly HeadRow[] = []): TemplateResult {
  return topic === 'text' ? text() : topic === 'faces' ? facesHelp() : segmentation(heads);
}
