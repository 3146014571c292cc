/** The device presets a person can pick. */
export type PresetName = 'phone' | 'laptop';

/** Batch sizes and model widths of every tab for one device preset. */
export interface Preset {
  text: { batchSize: number; units: number };
  faces: { imageSize: 32 | 64; width: 'small' | 'standard'; batchSize: number };
  segmentation: { batchSize: number };
}

/**
 * Phone: smaller batches and half the LSTM width; laptop: the seed recipes' sizes. Both keep the small
 * GAN width: the standard one is about 16x the convolution work, too slow for a laptop without a GPU
 * (pick it by hand on a GPU).
 */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  phone: {
    text: { batchSize: 32, units: 64 },
    faces: { imageSize: 32, width: 'small', batchSize: 16 },
    segmentation: { batchSize: 4 },
  },
  laptop: {
    text: { batchSize: 128, units: 128 },
    faces: { imageSize: 32, width: 'small', batchSize: 32 },
    segmentation: { batchSize: 8 },
  },
};

/** What the browser tells about the device; every field may be missing. */
export interface DeviceSignals {
  /** `navigator.deviceMemory`, in GB (rounded down by the browser, at most 8). */
  deviceMemoryGb?: number;
  /** Whether the primary pointer is coarse (a finger). */
  coarsePointer?: boolean;
  /** The screen's shorter side in CSS pixels. */
  screenWidthPx?: number;
  /** The WebGPU adapter's limits, when there is one. */
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

const MiB = 1024 * 1024;

/** Picks the phone preset when any signal says small memory or a phone, and says why. */
export function choosePreset(s: DeviceSignals): { name: PresetName; reasons: string[] } {
  const reasons: string[] = [];
  if (s.deviceMemoryGb !== undefined && s.deviceMemoryGb <= 4)
    reasons.push(`${s.deviceMemoryGb} GB of memory`);
  if (s.coarsePointer) reasons.push('a touch screen');
  if (s.screenWidthPx !== undefined && s.screenWidthPx < 600)
    reasons.push(`a ${s.screenWidthPx} px wide screen`);
  // WebGPU guarantees 256 MiB buffers and 128 MiB storage bindings; GPUs offering no more are
  // typically phone GPUs sharing little memory.
  if (
    s.maxBufferSize !== undefined &&
    s.maxBufferSize <= 256 * MiB &&
    (s.maxStorageBufferBindingSize ?? 0) <= 128 * MiB
  )
    reasons.push('a GPU with the minimum buffer limits');
  return { name: reasons.length ? 'phone' : 'laptop', reasons };
}

interface GpuLike {
  requestAdapter(): Promise<{
    limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  } | null>;
}

/** Reads the signals of this browser; the GPU adapter is asked for at most one second. */
export async function readDeviceSignals(): Promise<DeviceSignals> {
  const nav = navigator as Navigator & { deviceMemory?: number; gpu?: GpuLike };
  const signals: DeviceSignals = {
    deviceMemoryGb: nav.deviceMemory,
    coarsePointer: matchMedia('(pointer: coarse)').matches,
    screenWidthPx: Math.min(screen.width, screen.height),
  };
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000));
  const adapter = await Promise.race([nav.gpu?.requestAdapter().catch(() => null), timeout]);
  if (adapter) {
    signals.maxBufferSize = adapter.limits.maxBufferSize;
    signals.maxStorageBufferBindingSize = adapter.limits.maxStorageBufferBindingSize;
  }
  return signals;
}

let detected: Promise<{ name: PresetName; reasons: string[] }> | null = null;

/** The preset for this device, detected once per page. */
export function detectPreset(): Promise<{ name: PresetName; reasons: string[] }> {
  detected ??= readDeviceSignals().then(choosePreset);
  return detected;
}
