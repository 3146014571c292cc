/** An object URL for PNG bytes; the caller revokes it when the image is replaced. */
export function pngUrl(png: Uint8Array): string {
  return URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
}

/** Saves PNG bytes as a download named `name`. */
export function downloadPng(png: Uint8Array, name: string): void {
  const a = document.createElement('a');
  a.href = pngUrl(png);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
