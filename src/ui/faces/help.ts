// The Faces tab's help text (the help panel shows it; figures are from the recipe runs).
import { html, type TemplateResult } from 'lit';

// The recipe runs the help's table shows: change, steps, faceFd, precision, recall (weight average).
const RECIPE_RUNS: readonly (readonly string[])[] = [
  ['bilinear, average 0.999, no spectral normalisation, seed 1', '1,000', '35', '0.45', '0.39'],
  ['the same, seed 2', '1,000', '28', '0.45', '0.45'],
  ['the same, seed 1', '2,000', '29', '0.62', '0.24'],
  ['the same, seed 1', '3,000', '31', '0.70', '0.21'],
  ['the same, seed 1, continued (the Faces starter)', '4,000', '23', '0.76', '0.32'],
  ['the same, seed 1, continued (the Faces starter)', '5,000', '19', '0.75', '0.39'],
  ['the Faces starter on 1,024 faces', '5,000', '18', '0.67', '0.35'],
  ['the Faces starter continued (1,024 faces)', '6,000', '22', '0.66', '0.32'],
  ['the same (one kind of face with glasses)', '8,000', '27', '0.74', '0.23'],
  ['+ spectral normalisation in D (the default), seed 1', '1,000', '22', '0.36', '0.51'],
  ['+ spectral normalisation, seed 1', '3,000', '18', '0.53', '0.44'],
  ['+ spectral normalisation, seed 2', '3,000', '19', '0.56', '0.43'],
  [
    "+ spectral normalisation, seed 1, the app's session (1,024 faces)",
    '3,000',
    '24',
    '0.39',
    '0.32',
  ],
  ['the same, continued', '4,000', '28', '0.43', '0.23'],
  [
    '+ spectral normalisation, seed 1, npm run bench -- gan (1,024 faces)',
    '3,000',
    '19',
    '0.43',
    '0.41',
  ],
  ['the same, averaging the last third of the run (1,024 faces)', '3,000', '22', '0.45', '0.36'],
  [
    '+ spectral normalisation, 16 channels (not 8) at 32x32 in G, seed 1',
    '1,000',
    '23',
    '0.40',
    '0.53',
  ],
  ['the same', '2,000', '34', '0.59', '0.26'],
  ['+ spectral normalisation, D twice as wide, seed 1', '1,000', '24', '0.33', '0.49'],
  ['+ spectral normalisation, batch 32 (the laptop preset), seed 1', '3,000', '24', '0.55', '0.33'],
  ['+ spectral normalisation, 64x64, seed 1', '500', '25', '0.34', '0.54'],
  [
    "+ spectral normalisation, 64x64, seed 1, the app's session (1,024 faces)",
    '500',
    '23',
    '0.24',
    '0.50',
  ],
  ['the same', '1,000', '40', '0.27', '0.15'],
  [
    '+ spectral normalisation, two D steps per G step, seed 1 (1,024 faces)',
    '1,000',
    '23',
    '0.31',
    '0.46',
  ],
  ['the same', '1,500', '23', '0.37', '0.38'],
  [
    '+ spectral normalisation to a gain of 1.5 per layer, seed 1 (1,024 faces)',
    '1,000',
    '27',
    '0.31',
    '0.46',
  ],
  ['the same', '1,500', '29', '0.43', '0.29'],
  [
    '+ spectral normalisation, learning rate 0.0004, seed 1 (1,024 faces)',
    '1,000',
    '23',
    '0.44',
    '0.29',
  ],
  ['the same', '3,000', '22', '0.47', '0.28'],
  [
    '+ spectral normalisation, both networks twice as wide (G 128-64-32-16, D 32-64-128), seed 1 (1,024 faces)',
    '1,000',
    '21',
    '0.35',
    '0.44',
  ],
  ['the same, seed 2', '1,000', '24', '0.29', '0.45'],
  [
    '+ spectral normalisation, the minibatch standard deviation as an extra D feature, seed 1 (1,024 faces)',
    '1,000',
    '23',
    '0.31',
    '0.42',
  ],
  ['the same', '1,500', '24', '0.44', '0.32'],
  [
    'the minibatch standard deviation without spectral normalisation, seed 1 (1,024 faces)',
    '1,500',
    '28',
    '0.44',
    '0.32',
  ],
  [
    '+ spectral normalisation, a new face every draw (49,152, not 2,048), seed 1 (1,024 faces)',
    '1,000',
    '23',
    '0.33',
    '0.49',
  ],
  ['the same', '1,500', '23', '0.38', '0.33'],
  [
    '+ spectral normalisation, mode seeking (G rewarded for pixel differences), seed 1 (1,024 faces)',
    '1,000',
    '32',
    '0.17',
    '0.36',
  ],
  [
    '+ spectral normalisation, dropout 0.1 (not 0.4), seed 1 (1,024 faces)',
    '1,000',
    '26',
    '0.28',
    '0.43',
  ],
  ['the same', '1,500', '22', '0.40', '0.34'],
  [
    '+ spectral normalisation, 16 channels at 32x32 in G, learning rate falling linearly to 0 at step 3,000, seed 1 (1,024 faces)',
    '1,000',
    '24',
    '0.30',
    '0.44',
  ],
  ['the same', '2,000', '25', '0.33', '0.30'],
  ['G 0.0001, D 0.0004 (two time scales), seed 1', '1,000', '43', '0.46', '0.30'],
  ['nearest-neighbour upsampling, seed 1', '1,000', '117', '–', '–'],
];

/** The Faces tab's help: the DCGAN, its recipe and what each choice measured, the numbers. */
export const facesHelp = (): TemplateResult => html`
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
      The grid and Generate use a running average of the generator's weights (decay 0.999, with a
      warm-up: before step 9,000 it averages about the last ninth of the run): single GAN steps
      oscillate, their average draws steadier, sharper faces.
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
    Face metric of the weight average on 512 faces unless the row says 1,024 (cpu; lower faceFd is
    better; on 512 faces real faces score 2.2 and real faces with eyes and mouth painted over 22, on
    1,024 1.3 and 20):
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
      ${RECIPE_RUNS.map(
        (cells) =>
          html`<tr>
            ${cells.map((c) => html`<td>${c}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>
  <p>
    Without spectral normalisation faces get sharper with steps (precision rises) but between 1,000
    and 3,000 steps fewer kinds of face come out (recall falls). With it more kinds of face stay and
    faceFd is lower at 3,000 steps, but the faces keep more colour noise (lower precision), and one
    run in the app's own session got worse after 3,000 steps, so the Faces starter is still the run
    without it. One step takes about 0.75 s on one free cpu core, with or without it.
  </p>
  <p>
    Every change that sharpened faces sooner (no normalisation, batch 32, a wider last generator
    block, normalising to a gain above 1, a doubled learning rate) also lost kinds of face sooner:
    precision rose as recall fell, along the same curve. Two discriminator steps per generator step
    moved neither, and networks twice as wide (2.6 times the time a step) barely did at 1,000 steps.
    Nor did a minibatch standard deviation in the discriminator (it sees how much a group of four
    images varies), a new face at every draw instead of a pool of 2,048, dropout 0.1, a learning
    rate falling to zero over the budget, or rewarding the generator for different images from
    different vectors (that made colour noise): in every run recall fell between 1,000 and 2,000
    steps as precision rose. 64x64 takes about 3.5 s a step (the small model), so its budget here is
    1,000 steps; by then it had collapsed into plaid faces of a few kinds (recall 0.15 at 1,000
    steps after 0.50 at 500).
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
