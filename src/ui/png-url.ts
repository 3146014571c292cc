/** An object URL for PNG bytes; the caller revokes it when the image is replaced. */
export function pngUrl(png: Uint8Array): string {
  return URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
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
