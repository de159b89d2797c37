// Runs the PyTorch peer of the benchmark's ProtoNet step (src/cli/torchProtonetStep.py) with the
// same shapes and thread count, so `npm run bench` can print both medians from the same minute of
// the same machine, and their ratio.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from '../core/methods/methodBench';

export interface PeerShape {
  way: number;
  shot: number;
  query: number;
  side: number;
  filters: number;
  blocks: number;
}

export interface PeerResult {
  torch: string;
  threads: number;
  medianMs: number;
  minMs: number;
}

const SCRIPT = fileURLToPath(new URL('./torchProtonetStep.py', import.meta.url));

/** Times `steps` PyTorch steps after `warmup` with `threads` threads; throws with python's own message on failure. */
export function runTorchPeer(python: string, shape: PeerShape, threads: number, steps: number, warmup: number): PeerResult {
  const args = [SCRIPT, '--threads', threads, '--steps', steps, '--warmup', warmup, '--way', shape.way, '--shot', shape.shot,
    '--query', shape.query, '--side', shape.side, '--filters', shape.filters, '--blocks', shape.blocks].map(String);
  // OMP_NUM_THREADS as well as set_num_threads: some builds size their pool from the environment.
  const r = spawnSync(python, args, { encoding: 'utf8', timeout: 600_000, env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  if (r.status !== 0) throw new Error(`the PyTorch peer failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; threads: number; times_ms: number[] };
  return { torch: out.torch, threads: out.threads, medianMs: median(out.times_ms), minMs: Math.min(...out.times_ms) };
}
