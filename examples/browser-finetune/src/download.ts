/** Offers each file as a download (the browser saves them one after the other). */
export function downloadFiles(files: ReadonlyMap<string, Uint8Array>): void {
  for (const [name, bytes] of files) {
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
