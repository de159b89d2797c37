// Saves a string as a file through the browser's download. The only DOM code of the history's
// exports, kept here so exportRun.ts stays pure and testable without a document.

/** e.g. downloadText(fileNameFor(run, 'csv'), runCurvesToCsv(run), 'text/csv'). */
export function downloadText(fileName: string, text: string, mime: string): void {
  const type = /charset=/i.test(mime) ? mime : `${mime};charset=utf-8`;
  const url = URL.createObjectURL(new Blob([text], { type }));
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
