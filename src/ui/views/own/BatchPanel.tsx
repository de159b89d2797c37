// Classifying many unlabelled images at once: a folder, a zip or several files become a table of
// file name, thumbnail, top class, calibrated probability and "not sure" (with the runner-up),
// sortable by any column (buttons in the headers, aria-sort says the order) and saved as CSV.
// Files that could not be used are listed one by one; the rest are classified.
import { useMemo, useState } from 'react';
import { downloadFile } from '../../download';
import { useOwnImages } from '../../state/ownImagesContext';
import type { BatchRow } from '../../state/ownImages/types';
import { batchCsv } from '../../userData/batchCsv';
import { filesFromFileList } from '../../userData/dropFiles';
import { Thumbnail } from './Thumbnail';

type SortKey = 'name' | 'top' | 'probability' | 'notSure';
const COLUMNS: Array<{ key: SortKey; label: string }> = [
  { key: 'name', label: 'File' },
  { key: 'top', label: 'Top class' },
  { key: 'probability', label: 'Probability' },
  { key: 'notSure', label: 'Sure?' },
];

function compare(key: SortKey, classes: string[]): (a: BatchRow, b: BatchRow) => number {
  const byName = (a: BatchRow, b: BatchRow) => a.name.localeCompare(b.name, undefined, { numeric: true });
  switch (key) {
    case 'name':
      return byName;
    case 'top':
      return (a, b) => classes[a.top].localeCompare(classes[b.top]) || byName(a, b);
    case 'probability':
      return (a, b) => a.probabilities[a.top] - b.probabilities[b.top] || byName(a, b);
    case 'notSure':
      return (a, b) => Number(a.notSure) - Number(b.notSure) || a.probabilities[a.top] - b.probabilities[b.top];
  }
}

export function BatchPanel() {
  const batch = useOwnImages((s) => s.batch);
  const classifyBatch = useOwnImages((s) => s.classifyBatch);
  const clearBatch = useOwnImages((s) => s.clearBatch);
  const ready = useOwnImages((s) => s.backbone.status === 'ready');
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({ key: 'name', ascending: true });
  const working = batch.status === 'working';
  const rows = useMemo(() => {
    const sorted = [...batch.rows].sort(compare(sort.key, batch.classes));
    return sort.ascending ? sorted : sorted.reverse();
  }, [batch.rows, batch.classes, sort]);
  const unsure = batch.rows.filter((r) => r.notSure).length;
  const pct = (p: number) => `${(100 * p).toFixed(1)}%`;

  const picker = (label: string, folder: boolean) => (
    <label className={`file-button${ready && !working ? '' : ' file-button--disabled'}`}>
      {label}
      <input
        type="file"
        multiple
        accept={folder ? undefined : 'image/png,image/jpeg,image/webp,.zip,application/zip'}
        {...(folder && { webkitdirectory: '', directory: '' })}
        disabled={!ready || working}
        onChange={(e) => {
          const files = filesFromFileList(e.target.files ?? []);
          e.target.value = '';
          if (files.length > 0) void classifyBatch(files);
        }}
      />
    </label>
  );

  return (
    <div className="own-batch">
      <h3>Many images at once</h3>
      <p className="muted">A folder or a zip of images without labels: each gets its most likely class and calibrated probability, in a table you can sort and save as CSV.</p>
      <div className="button-row">
        {picker('Classify a folder', true)}
        {picker('Classify a zip or images', false)}
        {batch.status !== 'idle' && !working && (
          <button type="button" onClick={clearBatch}>
            Clear the table
          </button>
        )}
      </div>
      {working && batch.progress && (
        <label className="run-progress__label">
          Classifying {batch.progress.done} of {batch.progress.total} files
          <progress max={batch.progress.total || 1} value={batch.progress.done} />
        </label>
      )}
      {batch.message && (
        <p className="field__error" role="alert">
          {batch.message}
        </p>
      )}
      {batch.problems.length > 0 && (
        <details className="own-batch__problems">
          <summary>
            {batch.problems.length} file{batch.problems.length === 1 ? '' : 's'} skipped
          </summary>
          <ul>
            {batch.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </details>
      )}
      {batch.rows.length > 0 && (
        <>
          <p aria-live="polite">
            {batch.rows.length} image{batch.rows.length === 1 ? '' : 's'} classified{working ? ' so far' : ''}; {unsure} not sure.{' '}
            {batch.calibrated ? 'Probabilities are calibrated on your own images.' : 'Not calibrated (too few images in your classes): raw scores.'}
          </p>
          <div className="button-row">
            <button type="button" disabled={working} onClick={() => downloadFile('classified-images.csv', batchCsv(rows, batch.classes), 'text/csv')}>
              Save table as CSV
            </button>
          </div>
          <div className="own-batch__scroll">
            <table className="own-batch__table">
              <caption className="sr-only">Classified images; sort by a column with its header button.</caption>
              <thead>
                <tr>
                  {COLUMNS.slice(0, 1).map((c) => header(c, sort, setSort))}
                  <th scope="col">Image</th>
                  {COLUMNS.slice(1).map((c) => header(c, sort, setSort))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.name} className={row.notSure ? 'own-batch__row--unsure' : undefined}>
                    <th scope="row" className="own-batch__name">
                      {row.name}
                    </th>
                    <td>
                      <Thumbnail bytes={row.bytes} type={row.type} alt="" size={40} />
                    </td>
                    <td>{batch.classes[row.top]}</td>
                    <td className="own-batch__number">{pct(row.probabilities[row.top])}</td>
                    <td>{row.notSure ? `not sure (or ${batch.classes[row.runnerUp]}, ${pct(row.probabilities[row.runnerUp])})` : 'sure'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

function header(column: { key: SortKey; label: string }, sort: { key: SortKey; ascending: boolean }, setSort: (s: { key: SortKey; ascending: boolean }) => void) {
  const active = sort.key === column.key;
  return (
    <th key={column.key} scope="col" aria-sort={active ? (sort.ascending ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="own-batch__sort" onClick={() => setSort({ key: column.key, ascending: active ? !sort.ascending : column.key === 'name' || column.key === 'top' })}>
        {column.label}
        <span aria-hidden="true">{active ? (sort.ascending ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}
