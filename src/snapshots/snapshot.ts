// Trained snapshots shipped with the app (public/snapshots/, made by `npm run snapshots`,
// src/cli/snapshots.ts): a run the page can start from without training. A snapshot is what the
// page keeps of a finished run, so every path that works on a kept run works on it unchanged:
//   <id>.json  the run: its setup, curves (points, validation), evaluation (per-episode values, so
//              the comparison table pairs it), and the index of its tensors;
//   <id>.bin   the learnable state (the kept state `restore` loads), float16 little-endian (a
//              tensor that does not fit float16 stays float32), in the index's order.
// Adam's moments are not shipped (they would triple the bytes): training on from a snapshot starts a
// fresh optimiser from its weights. The manifest (src/snapshots/manifest.json) lists every snapshot
// with how it was made and its held-out accuracy; it is small and part of the page's bundle, the
// files are fetched only when a user starts from one. Plain TypeScript, no tfjs, no DOM.
import type { ExperimentEvaluation, ProgressPoint, ValidationResult } from '../core/experiment/results';
import type { SavedTensors } from '../core/nn/params';
import type { Setup } from '../ui/state/setup';
import { fromFloat16, toFloat16 } from './float16';
import { SNAPSHOT_SPECS } from './specs';

export const SNAPSHOT_FORMAT = 1;

/** One tensor of a snapshot's .bin: its name, shape, stored precision and byte offset. */
export interface SnapshotTensor {
  name: string;
  shape: number[];
  dtype: 'float16' | 'float32';
  offset: number;
}

/** The <id>.json of a snapshot. */
export interface SnapshotRun {
  format: typeof SNAPSHOT_FORMAT;
  id: string;
  name: string;
  setup: Setup;
  datasetLabel: string;
  /** Training steps done (the curve's last step). */
  steps: number;
  /** Seconds of training. */
  seconds: number;
  metaBatch: number;
  points: ProgressPoint[];
  validation: ValidationResult[];
  /** The evaluation of the shipped (float16) weights, on the page's test episodes (seed 2017). */
  evaluation: ExperimentEvaluation;
  tensors: SnapshotTensor[];
}

/** A result with its 95% interval. */
export interface SnapshotResult {
  label: string;
  mean: number;
  ci95: number;
}

/** One manifest entry: what a snapshot is, how it was made, how good it is, its files. */
export interface SnapshotEntry {
  id: string;
  title: string;
  /** Short words for menus, e.g. "glyphs 5-way 1-shot". */
  setupLabel: string;
  dataset: Setup['dataset'];
  method: string;
  way: number;
  shot: number;
  steps: number;
  seed: number;
  /** Seconds of training (wall time of the training loop in the snapshot command). */
  trainingSeconds: number;
  /**
   * Held-out results of the shipped (float16) weights on `episodes` test episodes of `seed` (the
   * run's evaluation), and of the float32 weights as trained on the first `float32Episodes` of them.
   */
  evaluation: { metric: ExperimentEvaluation['metric']; episodes: number; seed: number; float32: SnapshotResult[]; float32Episodes?: number; shipped: SnapshotResult[] };
  files: { json: { bytes: number; sha256: string }; bin: { bytes: number; sha256: string } };
  versions: { app: string; tfjs: string; node: string; backend: string };
  createdAt: string;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  command: string;
  entries: SnapshotEntry[];
}

/** Bytes of a snapshot's two files. */
export function snapshotBytes(entry: SnapshotEntry): number {
  return entry.files.json.bytes + entry.files.bin.bytes;
}

/** The float16 (or float32 where needed) .bin of a state and its tensor index. */
export function encodeState(state: SavedTensors): { bin: Uint8Array; tensors: SnapshotTensor[] } {
  const tensors: SnapshotTensor[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, saved] of Object.entries(state)) {
    const half = toFloat16(saved.values);
    const fits = fromFloat16(half).every((v, i) => Number.isFinite(v) || !Number.isFinite(saved.values[i]));
    const bytes = fits ? new Uint8Array(half.buffer) : new Uint8Array(Float32Array.from(saved.values).buffer);
    // Keep float32 data aligned to 4 bytes.
    if (!fits && offset % 4 !== 0) {
      parts.push(new Uint8Array(4 - (offset % 4)));
      offset += 4 - (offset % 4);
    }
    tensors.push({ name, shape: saved.shape.slice(), dtype: fits ? 'float16' : 'float32', offset });
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bin.set(p, at);
    at += p.byteLength;
  }
  return { bin, tensors };
}

/** The state a snapshot's .bin holds, as float32 tensors (what `restore` takes). */
export function decodeState(bin: Uint8Array, tensors: readonly SnapshotTensor[]): SavedTensors {
  const state: SavedTensors = {};
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    const width = t.dtype === 'float16' ? 2 : 4;
    if (t.offset + size * width > bin.byteLength) throw new Error(`The snapshot's weights end before tensor "${t.name}" (file cut short?).`);
    let values: Float32Array;
    if (t.dtype === 'float16') {
      const bits = new Uint16Array(size);
      for (let i = 0; i < size; i++) bits[i] = view.getUint16(t.offset + 2 * i, true);
      values = fromFloat16(bits);
    } else {
      values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = view.getFloat32(t.offset + 4 * i, true);
    }
    state[t.name] = { shape: t.shape.slice(), values };
  }
  return state;
}

/**
 * The snapshots for a setup's dataset, method, ways and shots (the page offers these), and its
 * augmentation when given (a snapshot trained with shifted images matches only a setup with them).
 */
export function snapshotsMatching(
  entries: readonly SnapshotEntry[],
  setup: Pick<Setup, 'dataset' | 'method' | 'way' | 'shot'> & Partial<Pick<Setup, 'augmentShift' | 'augmentFlip'>>,
): SnapshotEntry[] {
  const augmentOf = (id: string) => SNAPSHOT_SPECS.find((s) => s.id === id)?.setup;
  return entries.filter((e) => {
    if (e.dataset !== setup.dataset || e.method !== setup.method) return false;
    if (setup.dataset === 'sinusoid') return e.shot === setup.shot;
    if (e.way !== setup.way || e.shot !== setup.shot) return false;
    const spec = augmentOf(e.id);
    return (setup.augmentShift === undefined || setup.augmentShift === (spec?.augmentShift ?? 0)) && (setup.augmentFlip === undefined || setup.augmentFlip === (spec?.augmentFlip ?? false));
  });
}
