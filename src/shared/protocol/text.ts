// What the Text tab and its worker exchange: requests, sessions' stored config, samples.
import type { CharLstmConfig } from '../../models/char-lstm/model';

/** Where a session's text comes from. */
export type CorpusRef =
  { kind: 'bundled'; name: string } | { kind: 'stored'; id: string; name: string };

/** A set of generated texts kept with the session. */
export interface TextSample {
  step: number;
  seed: string;
  temperatures: number[];
  texts: string[];
  /** Per text, the share of its words found in an English word list and the corpus (absent in older sessions). */
  validWordRates?: number[];
}

/** The JSON config a char-LSTM session stores in its checkpoint. */
export interface CharLstmSessionConfig {
  model: CharLstmConfig;
  vocab: string[];
  corpus: CorpusRef;
  dataSeed: number;
  /** Whether the corpus is lower-cased before training (the Keras recipe's choice); absent in older sessions. */
  lowerCase?: boolean;
  /** Seeds for sampling without the corpus (a starter): `maxLen`-character windows of held-out text. */
  sampleSeeds?: string[];
}

/** What the UI asks for when it starts a new text session. */
export interface NewTextSession {
  corpus: CorpusRef;
  name?: string;
  config?: Partial<Omit<CharLstmConfig, 'vocabSize'>>;
  seed?: number;
  /** Lower-case the corpus first (the Keras recipe; a smaller vocabulary learns words sooner). */
  lowerCase?: boolean;
}

/** What the UI asks for when it samples. */
export interface SampleRequest {
  seed?: string;
  length: number;
  temperatures: number[];
}
