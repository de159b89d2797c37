// Saves text or bytes as a file through the browser's download: run exports (JSON, CSV), image-set
// zips and exported models. The only DOM code of those exports, kept here so the code that makes
// their contents stays pure and testable without a document.

/** e.g. downloadFile(fileNameFor(run, 'csv'), runCurvesToCsv(run), 'text/csv'). Text is saved as UTF-8. */
export function downloadFile(fileName: string, contents: string | Uint8Array, mime: string): void {
  const type = typeof contents === 'string' && !/charset=/i.test(mime) ? `${mime};charset=utf-8` : mime;
  const url = URL.createObjectURL(new Blob([contents as BlobPart], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  // Firefox only follows a click on a link that is in the document.
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoking at once can cancel the download in some browsers; a moment later it has started.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
