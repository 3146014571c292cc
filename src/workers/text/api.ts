import { MOBY_DICK_URL } from '../../data/bundled-corpus';
import { validateCorpus } from '../../data/corpus';
import { DEFAULT_CHAR_LSTM, validateCharLstmConfig } from '../../models/char-lstm/model';
import { generateText } from '../../models/char-lstm/sampler';
import { validWordRate, wordsOf } from '../../models/char-lstm/word-rate';
import type { SessionMeta, TrainProgress } from '../../shared/protocol';
import { AppError } from '../../shared/protocol';
import { Rng } from '../../shared/rng';
import { getCorpus } from '../../storage/corpora';
import type { AppDatabase } from '../../storage/db';
import { CharLstmSession } from './session';
import { createSessionHost, newSessionMeta } from '../runtime/session-host';
import type {
  CharLstmSessionConfig,
  CorpusRef,
  NewTextSession,
  SampleRequest,
  TextSample,
} from '../../shared/protocol/text';

/** Injected dependencies, so Node tests can run the API in-process. */
export interface CharLstmDeps {
  openDb?: () => Promise<AppDatabase>;
  loadBundled?: () => Promise<string>;
}

const fetchBundled = async () => {
  const res = await fetch(MOBY_DICK_URL);
  if (!res.ok) throw new Error(`Could not load the bundled corpus (${res.status})`);
  return res.text();
};

/** The message for a text with characters outside a starter's vocabulary, or null when it fits. */
export function vocabMismatch(text: string, config: CharLstmSessionConfig): string | null {
  const known = new Set(config.vocab);
  const bad = [...new Set(text)].filter((c) => !known.has(c));
  if (!bad.length) return null;
  const shown = bad
    .slice(0, 12)
    .map((c) => JSON.stringify(c))
    .join(' ');
  const cased = config.lowerCase ? ' (after lower-casing)' : '';
  return (
    `This text has ${bad.length} character${bad.length > 1 ? 's' : ''} the starter model never saw${cased}: ` +
    `${shown}${bad.length > 12 ? ' …' : ''}. Remove them, or train a new session on it instead.`
  );
}

/** Builds the char-LSTM worker API: start, resume, pause, sample and checkpoint one session at a time. */
export function createCharLstmApi(deps: CharLstmDeps = {}) {
  async function loadText(ref: CorpusRef, db: AppDatabase): Promise<string> {
    if (ref.kind === 'bundled') return (deps.loadBundled ?? fetchBundled)();
    const rec = await getCorpus(db, ref.id);
    if (!rec)
      throw new AppError(
        'not-found',
        `The corpus “${ref.name}” is no longer stored on this device.`,
      );
    return rec.text;
  }

  const host = createSessionHost<CharLstmSession>({
    model: 'char-lstm',
    openDb: deps.openDb,
    restore: async (meta, ckpt, db) => {
      const { corpus } = ckpt.config as { corpus: CorpusRef };
      return CharLstmSession.restore(meta, ckpt, await loadText(corpus, db));
    },
    // Sampling needs only the weights and the vocabulary; seeds come from the stored sample seeds.
    restoreStarter: (meta, ckpt) => CharLstmSession.restore(meta, ckpt, ''),
    retune: (config, tuning) => {
      const c = config as CharLstmSessionConfig;
      const { batchSize = c.model.batchSize, learningRate = c.model.learningRate } = tuning;
      if (batchSize === c.model.batchSize && learningRate === c.model.learningRate) return null;
      const model = { ...c.model, batchSize, learningRate };
      const bad = validateCharLstmConfig(model);
      if (bad) throw new AppError('bad-input', bad);
      return { ...c, model };
    },
  });
  let sampling = { cancel: false };
  // English words to check samples against: the bundled Moby-Dick's and the session's own corpus's.
  let english: Promise<Set<string>> | null = null;
  const corpusWords = new WeakMap<CharLstmSession, Set<string>>();
  async function knownWords(s: CharLstmSession): Promise<Set<string>> {
    english ??= (deps.loadBundled ?? fetchBundled)()
      .then((t) => new Set(wordsOf(t)))
      .catch(() => new Set<string>());
    const base = await english;
    let words = corpusWords.get(s);
    if (!words) {
      words = new Set([...base, ...wordsOf(s.text)]);
      corpusWords.set(s, words);
    }
    return words;
  }

  const loaded = () => host.loaded();

  return {
    ...host.api,

    /** Creates a session on a corpus, writes its first checkpoint and starts training. */
    async startNew(
      req: NewTextSession,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const cfg = { ...DEFAULT_CHAR_LSTM, ...req.config };
      const bad = validateCharLstmConfig({ ...cfg, vocabSize: 2 });
      if (bad) throw new AppError('bad-input', bad);
      const raw = await loadText(req.corpus, await host.db());
      const text = req.lowerCase ? raw.toLowerCase() : raw;
      const problem = validateCorpus(text, cfg.maxLen);
      if (problem) throw new AppError('bad-input', problem);
      const meta = newSessionMeta(
        'char-lstm',
        req.name ?? `Text on ${req.corpus.name}`,
        req.corpus.name,
      );
      const seed = req.seed ?? (Math.random() * 2 ** 32) >>> 0;
      return host.begin(
        CharLstmSession.create(meta, text, req.corpus, cfg, seed, !!req.lowerCase),
        onProgress,
        maxSteps,
      );
    },

    /** Copies the loaded starter into a new session (its weights, a fresh optimizer) and trains it on `corpus`. */
    async fineTune(
      corpus: CorpusRef,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const ckpt = await host.starterCheckpoint();
      const config = ckpt.config as unknown as CharLstmSessionConfig;
      const raw = await loadText(corpus, await host.db());
      const text = config.lowerCase ? raw.toLowerCase() : raw;
      // The session lower-cases again on restore; checking here names the characters that do not fit.
      const problem = validateCorpus(text, config.model.maxLen) ?? vocabMismatch(text, config);
      if (problem) throw new AppError('bad-input', problem);
      const seed = (Math.random() * 2 ** 32) >>> 0;
      const meta = newSessionMeta(
        'char-lstm',
        `${host.current()?.meta.name ?? 'Starter'} on ${corpus.name}`.replace(' (starter)', ''),
        corpus.name,
      );
      const copy = host.starterCopy(ckpt, meta, seed, { ...config, corpus, dataSeed: seed });
      return host.begin(await CharLstmSession.restore(meta, copy, text), onProgress, maxSteps);
    },

    /** The text samples kept with the loaded session, newest last. */
    samples(): TextSample[] {
      return host.current()?.samples ?? [];
    },

    /** A random window of the corpus to use as seed. */
    randomSeed(): string {
      return loaded().randomSeed();
    },

    /** Generates text at several temperatures at once, streaming partial texts to `onChunk`. */
    async sample(req: SampleRequest, onChunk: (texts: string[]) => void): Promise<TextSample> {
      // Another tab may have trained and saved this session since it was loaded here.
      const s = await host.latest();
      if (!req.temperatures.length || req.temperatures.some((t) => !(t > 0) || t > 10)) {
        throw new AppError(
          'bad-input',
          'Each temperature must be a number above 0 (and at most 10).',
        );
      }
      if (!Number.isInteger(req.length) || req.length < 1 || req.length > 2000) {
        throw new AppError(
          'bad-input',
          'The length must be a whole number from 1 to 2,000 characters.',
        );
      }
      const seed = req.seed ?? s.randomSeed();
      const unknown = [...new Set(seed)].filter((c) => !s.config.vocab.includes(c));
      if (unknown.length) {
        throw new AppError(
          'bad-input',
          `The seed has characters the model never saw: ${unknown.join(' ')}`,
        );
      }
      const token = { cancel: false };
      sampling = token;
      const texts = await generateText(
        s.model,
        s.config.vocab,
        seed,
        req.length,
        req.temperatures,
        new Rng(s.rng.seed()),
        onChunk,
        () => token.cancel,
      );
      const known = await knownWords(s);
      const validWordRates = texts.map((t) => validWordRate(t, known));
      const sample = {
        step: s.stepCount,
        seed,
        temperatures: req.temperatures,
        texts,
        validWordRates,
      };
      s.addSample(sample);
      // A sample taken while paused is kept across reloads too. A failed save (storage full) must not
      // lose the text on screen; the next checkpoint stores it.
      await host.persistIdle().catch(() => undefined);
      return sample;
    },

    /** Stops a running `sample` call; it resolves with what it has. */
    cancelSample(): void {
      sampling.cancel = true;
    },
  };
}
