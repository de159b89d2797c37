// The snapshots `npm run snapshots` trains: each the page's setup (so the shipped run is exactly a
// run the page could have trained), with enough steps to be clearly trained on a 2-core machine.
import { DEFAULT_SETUP, type Setup } from '../ui/state/setup';

export interface SnapshotSpec {
  id: string;
  setup: Setup;
}

const glyphs = (method: string, steps: number, patch: Partial<Setup> = {}): Setup => ({
  ...DEFAULT_SETUP,
  dataset: 'glyphs',
  way: 5,
  shot: 1,
  query: 15,
  trainWay: 5,
  split: { train: 70, val: 10, test: 20 },
  augmentShift: 0,
  augmentFlip: false,
  method,
  hyperparameters: {},
  steps,
  valEvery: steps >= 600 ? 100 : 50,
  evalEpisodes: 600,
  seed: 1,
  backend: 'auto',
  ...patch,
});

const sine = (method: string, steps: number): Setup => ({
  ...DEFAULT_SETUP,
  dataset: 'sinusoid',
  way: 5,
  shot: 10,
  query: 100,
  trainWay: 5,
  method,
  hyperparameters: {},
  steps,
  valEvery: 200,
  evalEpisodes: 600,
  seed: 1,
  backend: 'auto',
});

export const SNAPSHOT_SPECS: SnapshotSpec[] = [
  { id: 'protonet-glyphs-5w1s', setup: glyphs('protonet', 1000) },
  { id: 'protonet-glyphs-5w5s', setup: glyphs('protonet', 600, { shot: 5 }) },
  // The same run with support images shifted by up to 2 pixels in training (data augmentation).
  { id: 'protonet-glyphs-5w1s-shift2', setup: glyphs('protonet', 1000, { augmentShift: 2 }) },
  { id: 'maml-glyphs-5w1s', setup: glyphs('maml', 200) },
  { id: 'fomaml-glyphs-5w1s', setup: glyphs('fomaml', 200) },
  { id: 'finetune-glyphs-5w1s', setup: glyphs('finetune', 600) },
  { id: 'metalstm-glyphs-5w1s', setup: glyphs('metalstm', 300) },
  { id: 'maml-sine-k10', setup: sine('maml', 2000) },
  { id: 'finetune-sine-k10', setup: sine('finetune', 2000) },
];
