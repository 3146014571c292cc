import { html, type TemplateResult } from 'lit';
import type { HeadRow } from '../models/heads';

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

const faces = () => html`
  <h3>The model</h3>
  <p>
    A DCGAN: a <b>generator</b> turns a random vector of 100 normal numbers into an image (tanh
    output in [-1, 1]); a <b>discriminator</b> looks at an image and outputs P(real). They train
    against each other: the discriminator on real and generated images, the generator through gan(z)
    = discriminator(generator(z)) with the discriminator frozen inside it.
  </p>
  <h3>The recipe and its tricks</h3>
  <ul>
    <li>LeakyReLU instead of ReLU, so gradients flow through negative activations.</li>
    <li>Kernel sizes divisible by the stride (4 with stride 2), against checkerboard artefacts.</li>
    <li>
      Noisy labels: real and fake labels get random noise, so the discriminator is never sure.
    </li>
    <li>Dropout (0.4) before the discriminator's last layer, so it does not win too early.</li>
    <li>
      Batch normalisation in the generator and bilinear upsampling followed by a 3x3 convolution, so
      it paints smooth shapes instead of pixel noise (after 1,000 steps the face metric gave 25 with
      bilinear and 117 with nearest-neighbour upsampling, which stayed grey plaid); Adam with
      learning rate 0.0002 and beta1 0.5 (the DCGAN paper).
    </li>
    <li>
      The grid and Generate use a running average of the generator's weights (decay 0.999): single
      GAN steps oscillate, their average draws steadier, sharper faces.
    </li>
    <li>
      Spectral normalisation: after each discriminator step every discriminator kernel is divided by
      its largest singular value, so the discriminator cannot turn into a sharp detector of a few
      kinds of face. Without it the generator dropped kinds of face between 1,000 and 3,000 steps;
      with it more kinds of face and hair stay (recall 0.44 instead of 0.21 at 3,000 steps).
    </li>
    <li>
      Snapshots of a grid from <b>fixed</b> latent vectors, so you can watch the same faces emerge:
      blobs after a few hundred steps, hair over a face by about 1,000, heads with hair, eyes and a
      mouth (still streaky) by 3,000 (small model, 32x32, batch 16).
    </li>
  </ul>
  <h3>What the recipe choices measured</h3>
  <p>
    Face metric of the weight average on 512 faces (seed 1, cpu; lower faceFd is better, real faces
    score 2.2 and real faces with eyes and mouth painted over 22):
  </p>
  <table>
    <thead>
      <tr>
        <th>recipe</th>
        <th>steps</th>
        <th>faceFd</th>
        <th>precision</th>
        <th>recall</th>
      </tr>
    </thead>
    <tbody>
      <tr>
        <td>bilinear, average 0.999, no spectral normalisation, seed 1</td>
        <td>1,000</td>
        <td>35</td>
        <td>0.45</td>
        <td>0.39</td>
      </tr>
      <tr>
        <td>the same, seed 2</td>
        <td>1,000</td>
        <td>28</td>
        <td>0.45</td>
        <td>0.45</td>
      </tr>
      <tr>
        <td>the same, seed 1</td>
        <td>2,000</td>
        <td>29</td>
        <td>0.62</td>
        <td>0.24</td>
      </tr>
      <tr>
        <td>the same, seed 1</td>
        <td>3,000</td>
        <td>31</td>
        <td>0.70</td>
        <td>0.21</td>
      </tr>
      <tr>
        <td>the same, seed 1, continued (the Faces starter)</td>
        <td>4,000</td>
        <td>23</td>
        <td>0.76</td>
        <td>0.32</td>
      </tr>
      <tr>
        <td>the same, seed 1, continued (the Faces starter)</td>
        <td>5,000</td>
        <td>19</td>
        <td>0.75</td>
        <td>0.39</td>
      </tr>
      <tr>
        <td>+ spectral normalisation in D (the default), seed 1</td>
        <td>1,000</td>
        <td>22</td>
        <td>0.36</td>
        <td>0.51</td>
      </tr>
      <tr>
        <td>+ spectral normalisation, seed 1</td>
        <td>3,000</td>
        <td>18</td>
        <td>0.53</td>
        <td>0.44</td>
      </tr>
      <tr>
        <td>+ spectral normalisation, seed 2</td>
        <td>3,000</td>
        <td>19</td>
        <td>0.56</td>
        <td>0.43</td>
      </tr>
      <tr>
        <td>+ spectral normalisation, seed 1, the app's session (1,024 faces)</td>
        <td>3,000</td>
        <td>24</td>
        <td>0.39</td>
        <td>0.32</td>
      </tr>
      <tr>
        <td>the same, continued</td>
        <td>4,000</td>
        <td>28</td>
        <td>0.43</td>
        <td>0.23</td>
      </tr>
      <tr>
        <td>G 0.0001, D 0.0004 (two time scales), seed 1</td>
        <td>1,000</td>
        <td>43</td>
        <td>0.46</td>
        <td>0.30</td>
      </tr>
      <tr>
        <td>nearest-neighbour upsampling, seed 1</td>
        <td>1,000</td>
        <td>117</td>
        <td>–</td>
        <td>–</td>
      </tr>
    </tbody>
  </table>
  <p>
    Without spectral normalisation faces get sharper with steps (precision rises) but between 1,000
    and 3,000 steps fewer kinds of face come out (recall falls). With it more kinds of face stay and
    faceFd is lower at 3,000 steps, but the faces keep more colour noise (lower precision), and one
    run in the app's own session got worse after 3,000 steps, so the Faces starter is still the run
    without it. One step takes about 0.75 s on one free cpu core, with or without it.
  </p>
  <h3>The numbers</h3>
  <dl>
    <dt>D loss (real), D loss (fake)</dt>
    <dd>
      Binary cross-entropy of the discriminator on real and on generated images. Around 0.69 (ln 2)
      it cannot tell them apart; near 0 it has won and the generator gets little signal.
    </dd>
    <dt>G loss</dt>
    <dd>
      How badly the generator fools the discriminator. GAN losses do not fall steadily; watch the
      sample grid. A G loss that only climbs while D loss sits near 0 means training collapsed.
    </dd>
    <dt>Face metric (benchmark and starter card)</dt>
    <dd>
      A small net trained on the built-in faces' own labels (hair, glasses, mouth, eyes, layout)
      reads real and generated faces. <b>faceFd</b> is the Fréchet distance between their features
      (lower is better), <b>precision</b> the share of generated faces that look like some real
      ones, <b>recall</b> the share of real faces the generator can make. It is checked against
      spoiled real faces in the same run: on 512 faces, real 2.2, blurred 2.5, eyes and mouth
      painted over 22, blocks shuffled 57, an untrained generator 122, flat colour 208.
    </dd>
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
      8 part masks at 64x64, and is scored on held-out faces it never saw. <b>Predict</b> uses it
      until you load a session of your own; Fine-tune trains a copy of it on new built-in faces.
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
  return topic === 'text' ? text() : topic === 'faces' ? faces() : segmentation(heads);
}
