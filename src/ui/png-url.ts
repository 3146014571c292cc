/** An object URL for PNG bytes; the caller revokes it when the image is replaced. */
export function pngUrl(png: Uint8Array): string {
  return URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
}

/** One object URL per PNG byte array, made on first use, so re-rendering an image keeps its src; with `keep`, the oldest URLs beyond it are revoked. */
export class PngUrls {
  private readonly urls = new Map<Uint8Array, string>();

  constructor(private readonly keep = Infinity) {}

  /** The URL of `png` (the same array gives the same URL). */
  get(png: Uint8Array): string {
    let u = this.urls.get(png);
    if (!u) {
      u = pngUrl(png);
      this.urls.set(png, u);
      for (const [old, oldUrl] of this.urls) {
        if (this.urls.size <= this.keep) break;
        URL.revokeObjectURL(oldUrl);
        this.urls.delete(old);
      }
    }
    return u;
  }

  /** Revokes every URL. */
  clear(): void {
    for (const u of this.urls.values()) URL.revokeObjectURL(u);
    this.urls.clear();
  }
}

/** Saves PNG bytes as a download named `name`. */
export function downloadPng(png: Uint8Array, name: string): void {
  downloadBytes(png, name, 'image/png');
}

/** Saves bytes of MIME `type` as a download named `name`. */
export function downloadBytes(bytes: Uint8Array, name: string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
