// Classifying many unlabelled images at once: a folder or a zip (or several files) becomes a table
// of file name, thumbnail, top class, calibrated probability and "not sure". Every file that cannot
// be used is listed with why, and the rest are still classified. Images are downscaled as they are
// read (the same preparation as the user's classes) and sent to the worker a few at a time, so a
// big folder neither sits decoded in memory nor leaves the page without progress.
import { isIgnoredPath } from '../../../core/data/zip';
import { isNotSure } from '../../../core/features/calibrate';
import { compareNatural } from '../../../core/data/imageFolder';
import { filesFromZip } from '../../userData/dropFiles';
import type { UserFile } from '../../userData/ingest';
import { message, type OwnImagesEnv, type OwnImagesSlice } from './env';
import type { BatchRow, BatchSlice, BatchState } from './types';

/** Images per classify request: a progress step, and a bound on what travels to the worker at once. */
const CHUNK = 16;
/** Most images in one batch: a table longer than this is better classified in parts. */
export const MAX_BATCH = 2000;

const IDLE: BatchState = { status: 'idle', classes: [], rows: [], problems: [], calibrated: false };

/** The two largest probabilities' classes (ties: the first). */
function topTwo(p: number[]): { top: number; runnerUp: number } {
  let top = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[top]) top = c;
  let runnerUp = top === 0 ? 1 : 0;
  for (let c = 0; c < p.length; c++) if (c !== top && p[c] > p[runnerUp]) runnerUp = c;
  return { top, runnerUp };
}

/** The files with every zip among them opened into its entries (a zip that cannot be opened is a problem). */
async function expandZips(files: UserFile[], problems: string[]): Promise<UserFile[]> {
  const out: UserFile[] = [];
  for (const file of files) {
    if (!/\.zip$/i.test(file.path)) {
      out.push(file);
      continue;
    }
    try {
      const stem = file.path.replace(/\.zip$/i, '');
      out.push(...filesFromZip(await file.read(), file.path).map((entry) => ({ ...entry, path: `${stem}/${entry.path}` })));
    } catch (error) {
      problems.push(`${file.path}: ${message(error)} (skipped)`);
    }
  }
  return out;
}

export const createBatchSlice =
  (env: OwnImagesEnv): OwnImagesSlice<BatchSlice> =>
  (set, get) => {
    const { deps } = env;
    let runs = 0;
    return {
      batch: IDLE,

      clearBatch() {
        runs++;
        set({ batch: IDLE });
      },

      async classifyBatch(picked) {
        const run = ++runs;
        const stale = () => run !== runs;
        const problems: string[] = [];
        set({ batch: { ...IDLE, status: 'working', progress: { done: 0, total: 0 } } });
        const files = (await expandZips(picked, problems))
          .filter((f) => f.unreadable === undefined || (problems.push(`${f.path}: ${f.unreadable} (skipped)`), false))
          .filter((f) => !f.path.endsWith('/') && !isIgnoredPath(f.path) && !/(^|\/)(thumbs\.db|desktop\.ini)$/i.test(f.path))
          .sort((a, b) => compareNatural(a.path, b.path));
        if (files.length === 0) {
          set({ batch: { ...IDLE, status: 'error', problems, message: 'No images among the chosen files; choose a folder or a zip of PNG, JPEG or WebP images.' } });
          return;
        }
        if (files.length > MAX_BATCH) {
          set({ batch: { ...IDLE, status: 'error', message: `${files.length} files is more than ${MAX_BATCH} at once; classify the folder in parts.` } });
          return;
        }
        if (!(await get().ensureClassifier())) {
          set({ batch: { ...IDLE, status: 'error', message: get().classifier.message ?? 'Adapt to your classes first (step 3).' } });
          return;
        }
        const classifierId = get().classifier.result!.classifierId;
        const rows: BatchRow[] = [];
        let classes: string[] = [];
        let calibrated = false;
        set({ batch: { ...IDLE, status: 'working', progress: { done: 0, total: files.length }, problems } });
        for (let start = 0; start < files.length; start += CHUNK) {
          const prepared: Array<{ name: string; bytes: Uint8Array; type: string }> = [];
          for (const file of files.slice(start, start + CHUNK)) {
            try {
              const image = await deps.prepare(await file.read(), file.path);
              prepared.push({ name: file.path, bytes: image.bytes, type: image.type });
            } catch (error) {
              problems.push(`${file.path}: ${message(error)} (skipped)`);
            }
          }
          if (stale()) return;
          if (prepared.length > 0) {
            try {
              const result = await deps.client.classify(classifierId, prepared.map((p) => p.bytes), prepared.map((p) => p.name));
              classes = result.classes;
              calibrated = result.calibrated;
              result.probabilities.forEach((p, i) => rows.push({ ...prepared[i], probabilities: p, ...topTwo(p), notSure: isNotSure(p) }));
            } catch (error) {
              if (stale()) return;
              set({ batch: { status: 'error', classes, rows: [...rows], problems: [...problems], calibrated, message: message(error) } });
              return;
            }
          }
          if (stale()) return;
          set({ batch: { status: 'working', classes, rows: [...rows], problems: [...problems], calibrated, progress: { done: Math.min(start + CHUNK, files.length), total: files.length } } });
        }
        set({
          batch: {
            status: rows.length > 0 ? 'done' : 'error',
            classes,
            rows,
            problems,
            calibrated,
            ...(rows.length === 0 && { message: 'None of the chosen files could be read as an image; see the list below.' }),
          },
        });
      },
    };
  };
