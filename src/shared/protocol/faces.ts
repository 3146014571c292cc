// What the Faces tab and its worker exchange: requests, stored config, grids, imports.
import type { ImportProblem } from '../../data/mask-import';
import type { GanConfig } from '../../models/gan/model';

/** Where a GAN session's real images come from. */
export type FaceDataset =
  { kind: 'builtin'; name: string } | { kind: 'imported'; id: string; name: string };

/** One grid of the fixed latents at a training step, as PNG bytes. */
export interface GanSnapshot {
  step: number;
  png: Uint8Array;
}

/** The JSON config a GAN session stores in its checkpoint. */
export interface GanSessionConfig {
  model: GanConfig;
  dataset: FaceDataset;
  dataSeed: number;
  /** Seed of the 64 fixed latent vectors of the sample grid. */
  latentSeed: number;
  snapshotEvery: number;
}

/** What the UI asks for when it starts a new faces session. */
export interface NewFacesSession {
  dataset: FaceDataset;
  name?: string;
  config?: Partial<GanConfig>;
  seed?: number;
  snapshotEvery?: number;
}

/** A generated face: its PNG and the latent vector it came from (for interpolation). */
export interface GeneratedFace {
  png: Uint8Array;
  latent: Float32Array;
}

/** What an image import did: the stored set's id (null when nothing was stored), its count and the skipped files. */
export interface ImageImportReport {
  id: string | null;
  name: string;
  count: number;
  skipped: ImportProblem[];
  /** Up to 16 of the imported images at 64x64, as one PNG grid; null when none loaded. */
  previewPng: Uint8Array | null;
  /** One human sentence summing up the import. */
  message: string;
}
