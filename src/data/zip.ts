// Unpacking a .zip a person gave us, checked before inflating: the archive size, the number of
// entries and the sum of the declared uncompressed sizes (a zip bomb declares little and inflates a
// lot; fflate never writes past a declared size, so declared sizes bound the memory).
import { unzipSync } from 'fflate';

const MB = 1024 * 1024;

/** A file given by name (its path inside a zip, or its name in a file list) and bytes. */
export interface NamedFile {
  name: string;
  bytes: Uint8Array;
}

/** Limits on a .zip, checked before anything is inflated. */
export interface ZipLimits {
  /** Largest accepted .zip, in bytes (default 100 MB). */
  maxZipBytes?: number;
  /** Largest accepted sum of declared uncompressed sizes, in bytes (default 300 MB). */
  maxUnzippedBytes?: number;
  /** Most entries in a zip (default 5,000). */
  maxEntries?: number;
}

/** Unpacks a zip's files (folders, `__MACOSX/` and dotfiles left out) within `limits`, or says why it refuses. */
export function unzipChecked(
  zip: Uint8Array,
  limits: ZipLimits = {},
): { files: NamedFile[] } | { reason: string } {
  const maxZip = limits.maxZipBytes ?? 100 * MB;
  const maxUnzipped = limits.maxUnzippedBytes ?? 300 * MB;
  const maxEntries = limits.maxEntries ?? 5000;
  if (zip.length > maxZip) {
    return {
      reason: `it is ${(zip.length / MB).toFixed(1)} MB, over the limit of ${maxZip / MB} MB`,
    };
  }
  let declared = 0;
  let entries = 0;
  let escaping: string | null = null;
  try {
    // First pass reads the directory only: the filter declines every entry, so nothing inflates.
    unzipSync(zip, {
      filter: (f) => {
        entries++;
        declared += f.originalSize;
        if (escaping === null && escapesArchive(f.name)) escaping = f.name;
        return false;
      },
    });
  } catch (err) {
    return { reason: `it is not a readable zip file (${(err as Error).message})` };
  }
  // Nothing here is written to disk, but such a name is a crafted archive: refuse it by name.
  if (escaping !== null)
    return { reason: `it has an entry named “${escaping}”, which points outside the archive` };
  if (entries > maxEntries)
    return { reason: `it holds ${entries} files, over the limit of ${maxEntries}` };
  if (declared > maxUnzipped) {
    return {
      reason: `it would unpack to ${(declared / MB).toFixed(1)} MB, over the limit of ${maxUnzipped / MB} MB (a zip bomb?)`,
    };
  }
  try {
    const files = unzipSync(zip, { filter: (f) => !f.name.endsWith('/') && !junk(f.name) });
    return { files: Object.entries(files).map(([name, bytes]) => ({ name, bytes })) };
  } catch (err) {
    return { reason: `it is not a readable zip file (${(err as Error).message})` };
  }
}

/** Whether a zip entry name is absolute or climbs out of the archive (`../`, `C:`, a leading slash). */
export function escapesArchive(name: string): boolean {
  const parts = name.split(/[\\/]/);
  return /^([\\/]|[A-Za-z]:)/.test(name) || parts.includes('..');
}

function junk(name: string): boolean {
  const base = name.split('/').pop() ?? '';
  return name.startsWith('__MACOSX/') || base.startsWith('.') || base === 'Thumbs.db';
}
