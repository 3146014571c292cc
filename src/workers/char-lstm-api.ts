import { MOBY_DICK_URL } from '../data/bundled-corpus';
import { validateCorpus } from '../data/corpus';
import type { CharLstmConfig } from '../models/char-lstm';
import { DEFAULT_CHAR_LSTM, validateCharLstmConfig } from '../models/char-lstm';
import { generateText } from '../models/sampler';
import type { SessionMeta, TrainProgress } from '../shared/protocol';
import { Rng } from '../shared/rng';
import { getCorpus } from '../storage/corpora';
import type { AppDatabase } from '../storage/db';
import type { CorpusRef, TextSample } from './char-lstm-session';
import { CharLstmSession } from './char-lstm-session';
import { createSessionHost, newSessionMeta } from './session-host';

/** What the UI asks for when it starts a new text session. */
export interface NewTextSession {
  corpus: CorpusRef;
  name?: string;
  config?: Partial<Omit<CharLstmConfig, 'vocabSize'>>;
  seed?: number;
}

/** What the UI asks for when it samples. */
export interface SampleRequest {
  seed?: string;
  length: number;
  temperatures: number[];
}

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

/** Builds the char-LSTM worker API: start, resume, pause, sample and checkpoint one session at a time. */
export function createCharLstmApi(deps: CharLstmDeps = {}) {
  async function loadText(ref: CorpusRef, db: AppDatabase): Promise<string> {
    if (ref.kind === 'bundled') return (deps.loadBundled ?? fetchBundled)();
    const rec = await getCorpus(db, ref.id);
    if (!rec) throw new Error(`The corpus “${ref.name}” is no longer stored on this device.`);
    return rec.text;
  }

  const host = createSessionHost<CharLstmSession>({
    openDb: deps.openDb,
    restore: async (meta, ckpt, db) => {
      const { corpus } = ckpt.config as { corpus: CorpusRef };
      return CharLstmSession.restore(meta, ckpt, await loadText(corpus, db));
    },
  });
  let sampling = { cancel: false };

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
      if (bad) throw new Error(bad);
      const text = await loadText(req.corpus, await host.db());
      const problem = validateCorpus(text, cfg.maxLen);
      if (problem) throw new Error(problem);
      const meta = newSessionMeta(
        'char-lstm',
        req.name ?? `Text on ${req.corpus.name}`,
        req.corpus.name,
      );
      const seed = req.seed ?? (Math.random() * 2 ** 32) >>> 0;
      return host.begin(
        CharLstmSession.create(meta, text, req.corpus, cfg, seed),
        onProgress,
        maxSteps,
      );
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
      const s = loaded();
      if (!req.temperatures.length || req.temperatures.some((t) => !(t > 0) || t > 10)) {
        throw new Error('Each temperature must be a number above 0 (and at most 10).');
      }
      if (!Number.isInteger(req.length) || req.length < 1 || req.length > 2000) {
        throw new Error('The length must be a whole number from 1 to 2,000 characters.');
      }
      const seed = req.seed ?? s.randomSeed();
      const unknown = [...new Set(seed)].filter((c) => !s.config.vocab.includes(c));
      if (unknown.length) {
        throw new Error(`The seed has characters the model never saw: ${unknown.join(' ')}`);
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
      const sample = { step: s.stepCount, seed, temperatures: req.temperatures, texts };
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

/** The char-LSTM worker API type, for `Remote<CharLstmApi>` on the UI side. */
export type CharLstmApi = ReturnType<typeof createCharLstmApi>;
