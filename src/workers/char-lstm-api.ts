import { MOBY_DICK_NAME, MOBY_DICK_URL } from '../data/bundled-corpus';
import { validateCorpus } from '../data/corpus';
import type { CharLstmConfig } from '../models/char-lstm';
import { DEFAULT_CHAR_LSTM, validateCharLstmConfig } from '../models/char-lstm';
import { generateText } from '../models/sampler';
import type { AutosavePolicy, BackendReport, SessionMeta, TrainProgress } from '../shared/protocol';
import { DEFAULT_AUTOSAVE } from '../shared/protocol';
import { Rng } from '../shared/rng';
import { loadCheckpoint, newSessionId, saveCheckpoint } from '../storage/checkpoints';
import { getCorpus } from '../storage/corpora';
import type { AppDatabase } from '../storage/db';
import { openAppDb } from '../storage/db';
import type { CorpusRef, TextSample } from './char-lstm-session';
import { CharLstmSession } from './char-lstm-session';
import { initBackend } from './runtime';
import { TrainingLoop } from './training-loop';

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
  let dbPromise: Promise<AppDatabase> | null = null;
  const db = () => (dbPromise ??= (deps.openDb ?? (() => openAppDb()))());
  let backend: BackendReport | null = null;
  let session: CharLstmSession | null = null;
  let loop: TrainingLoop | null = null;
  let sampling = { cancel: false };
  let autosave: AutosavePolicy = DEFAULT_AUTOSAVE;

  async function loadText(ref: CorpusRef): Promise<string> {
    if (ref.kind === 'bundled') return (deps.loadBundled ?? fetchBundled)();
    const rec = await getCorpus(await db(), ref.id);
    if (!rec) throw new Error(`The corpus “${ref.name}” is no longer stored on this device.`);
    return rec.text;
  }

  async function save(): Promise<SessionMeta> {
    if (!session) throw new Error('No session is loaded.');
    const ckpt = await session.toCheckpoint();
    session.meta = await saveCheckpoint(
      await db(),
      { ...session.meta, backend: backend?.backend ?? '' },
      ckpt,
    );
    return session.meta;
  }

  async function replaceSession(next: CharLstmSession): Promise<void> {
    await loop?.pause();
    loop = null;
    session?.dispose();
    session = next;
    session.save = async () => {
      await save();
    };
  }

  function run(onProgress: (p: TrainProgress) => void, maxSteps?: number): void {
    if (!session) throw new Error('No session is loaded.');
    loop = new TrainingLoop(session, {
      sessionId: session.meta.id,
      autosave,
      history: session.history,
      onProgress,
      maxSteps,
    });
    void loop.start().catch(() => undefined);
  }

  return {
    /** Chooses and self-tests the backend; `forced` comes from `?backend=`. */
    async init(forced: string | null = null): Promise<BackendReport> {
      backend ??= await initBackend(forced);
      return backend;
    },

    /** Sets the autosave policy for the next runs. */
    setAutosave(policy: AutosavePolicy): void {
      autosave = policy;
    },

    /** Creates a session on a corpus, writes its first checkpoint and starts training. */
    async startNew(
      req: NewTextSession,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const text = await loadText(req.corpus);
      const problem = validateCorpus(text, req.config?.maxLen ?? DEFAULT_CHAR_LSTM.maxLen);
      if (problem) throw new Error(problem);
      const cfg = { ...DEFAULT_CHAR_LSTM, ...req.config };
      const bad = validateCharLstmConfig({ ...cfg, vocabSize: 2 });
      if (bad) throw new Error(bad);
      const now = Date.now();
      const meta: SessionMeta = {
        id: newSessionId(),
        name: req.name ?? `Text on ${req.corpus.name}`,
        model: 'char-lstm',
        dataset: req.corpus.name,
        step: 0,
        epoch: 0,
        lastLoss: NaN,
        createdAt: now,
        savedAt: now,
        sizeBytes: 0,
        backend: backend?.backend ?? '',
      };
      const seed = req.seed ?? (Math.random() * 2 ** 32) >>> 0;
      await replaceSession(CharLstmSession.create(meta, text, req.corpus, cfg, seed));
      const stored = await save();
      run(onProgress, maxSteps);
      return stored;
    },

    /** Loads a saved session (without training), e.g. to sample from it. */
    async open(sessionId: string): Promise<SessionMeta> {
      if (session?.meta.id === sessionId) return session.meta;
      const database = await db();
      const ckpt = await loadCheckpoint(database, sessionId);
      if (!ckpt) throw new Error('This session has no checkpoint on this device.');
      const meta = (await database.get('sessions', sessionId))!;
      const cfg = ckpt.config as { corpus: CorpusRef };
      await replaceSession(await CharLstmSession.restore(meta, ckpt, await loadText(cfg.corpus)));
      return meta;
    },

    /** Loads a saved session and continues training from its checkpointed step. */
    async resume(
      sessionId: string,
      onProgress: (p: TrainProgress) => void,
      maxSteps?: number,
    ): Promise<SessionMeta> {
      const meta = await this.open(sessionId);
      if (loop?.running) return meta;
      run(onProgress, maxSteps);
      return meta;
    },

    /** Stops after the current step and writes a checkpoint. */
    async pause(): Promise<void> {
      await loop?.pause();
    },

    /** Writes a checkpoint now (page hidden, update pending); no-op without a session. */
    async checkpoint(): Promise<SessionMeta | null> {
      if (!session) return null;
      if (loop?.running) {
        await loop.requestSave();
        return session.meta;
      }
      return save();
    },

    /** The loaded session's state. */
    status() {
      return session
        ? {
            meta: session.meta,
            running: !!loop?.running,
            history: session.history,
            samples: session.samples,
          }
        : null;
    },

    /** A random window of the corpus to use as seed. */
    randomSeed(): string {
      if (!session) throw new Error('No session is loaded.');
      return session.randomSeed();
    },

    /** Generates text at several temperatures at once, streaming partial texts to `onChunk`. */
    async sample(req: SampleRequest, onChunk: (texts: string[]) => void): Promise<TextSample> {
      if (!session) throw new Error('Load or train a session first.');
      if (!req.temperatures.length || req.temperatures.some((t) => !(t > 0) || t > 10)) {
        throw new Error('Each temperature must be a number above 0 (and at most 10).');
      }
      if (!Number.isInteger(req.length) || req.length < 1 || req.length > 2000) {
        throw new Error('The length must be a whole number from 1 to 2,000 characters.');
      }
      const s = session;
      const seed = req.seed ?? s.randomSeed();
      const unknown = [...seed].filter((c) => !s.config.vocab.includes(c));
      if (unknown.length)
        throw new Error(
          `The seed has characters the model never saw: ${[...new Set(unknown)].join(' ')}`,
        );
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

export { MOBY_DICK_NAME };
