// The Faces starter: the app's default DCGAN recipe (or `--set` overrides) on the built-in faces,
// through the app's own GanSession, scored at the end by the face metric with its controls.
import * as tf from '@tensorflow/tfjs';
import { createGanConfig, type GanConfig } from '../../src/models/gan/model';
import { GanSession, renderFacePool, BUILTIN_POOL } from '../../src/workers/faces/session';
import { newSessionMeta } from '../../src/workers/runtime/session-host';
import { faceQuality } from '../../bench/gan-quality';
import { writeSampleGrid } from '../../bench/gan';
import type { Checkpoint } from '../../src/storage/checkpoints/store';
import type { ModelCard, PretrainArgs } from './common';
import { readResume, runFigures, sha256, trainStarter, writeStarter } from './common';
import type { GanSessionConfig } from '../../src/shared/protocol/faces';

/** The starter's budget: well past the bench's default, so it beats the recipe's own figures. */
export const FACES_DEFAULT_STEPS = 6000;

// The starter ships the weight average as its generator (what the grid and Generate draw with) and
// no separate average: a fine-tuned copy starts its average from that generator.
function averagedGenerator(ckpt: Checkpoint): Checkpoint {
  const { generatorEma, ...weights } = ckpt.weights;
  const { generatorEma: _topology, ...topologies } = ckpt.topologies;
  void _topology;
  if (!generatorEma) return ckpt;
  return { ...ckpt, weights: { ...weights, generator: generatorEma }, topologies };
}

/** Trains (or continues) the Faces starter; writes the zip and card every `saveEvery` steps. */
export async function pretrainFaces(
  args: PretrainArgs,
  backend: string,
  overrides: Partial<GanConfig>,
) {
  const prev = readResume(args, 'gan');
  const model = createGanConfig(overrides);
  const config: GanSessionConfig = prev
    ? (prev.checkpoint.config as unknown as GanSessionConfig)
    : {
        model,
        dataset: { kind: 'builtin', name: 'Built-in faces' },
        dataSeed: args.seed,
        latentSeed: args.seed + 7,
        snapshotEvery: 1_000_000,
      };
  const pool = renderFacePool(config.dataSeed, BUILTIN_POOL, config.model.imageSize);
  const session = prev
    ? await GanSession.restore(prev.meta, prev.checkpoint, pool)
    : GanSession.create(newSessionMeta('gan', 'Faces (starter)', 'Built-in faces'), config, pool);
  const start = performance.now();
  console.log(
    `faces: ${JSON.stringify(config.model)} from step ${session.stepCount} to ${args.steps} on ${backend}`,
  );
  const save = async (final: boolean): Promise<void> => {
    const ckpt = await session.toCheckpoint();
    const losses = session.history.map((h) => h.metrics.gLoss);
    const figures: Record<string, number> = {};
    // Scored at every save: the card's figures, and the log is the recipe's curve over its budget.
    {
      const q = await faceQuality(session.sampler, session.config.model);
      Object.assign(figures, {
        faceFd: q.faceFd,
        precision: q.precision,
        recall: q.recall,
        attributeTvMax: q.attributeTvMax,
      });
      for (const [name, c] of Object.entries(q.controls)) figures[`${name}FaceFd`] = c.faceFd;
    }
    if (final && args.grid) await writeSampleGrid(session.sampler, args.grid);
    const card: ModelCard = {
      model: 'gan',
      name: 'Faces (starter)',
      description: `A DCGAN that draws ${config.model.imageSize}x${config.model.imageSize} faces, trained on the built-in procedural faces.`,
      data: {
        name: 'the built-in procedural faces',
        sha256: sha256(pool),
        source: `renderFacePool(${config.dataSeed}, ${BUILTIN_POOL}, ${config.model.imageSize})`,
      },
      recipe: { ...config.model },
      // The card's hash is of the weights the starter ships: the average as its generator.
      ...runFigures(
        session,
        averagedGenerator(ckpt),
        losses,
        (prev?.card.seconds ?? 0) + (performance.now() - start) / 1000,
        args,
        backend,
      ),
      figures,
    };
    const bytes = writeStarter(args, session.meta, ckpt, card, averagedGenerator);
    console.log(
      `saved step ${card.steps} gLoss ${card.finalLoss.toFixed(3)} ${JSON.stringify(figures)} ${bytes} bytes, ${card.seconds} s`,
    );
  };
  await trainStarter(args, {
    session,
    metric: 'gLoss',
    step: () => {
      const l = session.step();
      tf.dispose([l.dLossReal, l.dLossFake]);
      return l.gLoss;
    },
    save,
  });
  session.dispose();
}
