// The trained starter models the app ships (public/starters/<folder>/{session.zip,card.json}): what
// crosses the worker boundary about them. A starter is read-only; Fine-tune copies it into a session.
import type { ModelKind } from './protocol';

/** The model card beside a starter, as `npm run pretrain` writes it. */
export interface StarterCard {
  model: ModelKind;
  name: string;
  description: string;
  data: { name: string; sha256: string; source: string };
  recipe: Record<string, unknown>;
  steps: number;
  epochs: number;
  seconds: number;
  backend: string;
  tfjsVersion: string;
  seed: number;
  lossPer100: [number, number][];
  finalLoss: number;
  weightsSha256: string;
  /** heldOutLoss, validWordRate, faceFd, precision, recall, miouParts, iouBinary, … where they apply. */
  figures: Record<string, number>;
  createdAt: string;
}

/** The folder under public/starters/ of each model kind's starter. */
export const STARTER_FOLDERS: Readonly<Record<ModelKind, string>> = {
  'char-lstm': 'text',
  gan: 'faces',
  segmenter: 'segmentation',
};

/** The session id a loaded starter has in the worker: never stored, never a real session's id. */
export function starterId(model: ModelKind): string {
  return `starter:${model}`;
}

/** Whether `id` is a starter's (read-only) id. */
export function isStarterId(id: string | undefined | null): boolean {
  return !!id && id.startsWith('starter:');
}

/** The URL of the index of every shipped starter's card (`{ [model]: StarterCard }`). */
export function starterIndexUrl(base: string): string {
  return new URL('starters/index.json', base).href;
}

/** The URL of a starter file of `model` relative to the app's base URL. */
export function starterUrl(
  model: ModelKind,
  file: 'session.zip' | 'card.json',
  base: string,
): string {
  return new URL(`starters/${STARTER_FOLDERS[model]}/${file}`, base).href;
}

/** One line about a starter: "Nietzsche (starter): 8,916 steps, loss 1.31, trained on …". */
export function starterSummary(card: StarterCard): string {
  const f = card.figures;
  const parts = [`${card.steps.toLocaleString('en-US')} steps`];
  if (Number.isFinite(card.finalLoss)) parts.push(`loss ${card.finalLoss.toFixed(2)}`);
  if (f.validWordRate !== undefined) parts.push(`${Math.round(f.validWordRate * 100)}% real words`);
  if (f.miouParts !== undefined) parts.push(`mIoU ${f.miouParts.toFixed(2)} on held-out faces`);
  if (f.precision !== undefined) parts.push(`precision ${f.precision.toFixed(2)}`);
  return `${card.name}: ${parts.join(', ')}, trained on ${card.data.name}`;
}
