// The backend's short facts for the status chip ("WASM · SIMD · 2 threads"), from the worker's
// ChosenBackend. The worker's full sentence (driver names, why not WebGPU) stays for the chip's
// disclosure and the screen-reader status; the chip must fit one line so the header keeps its height.
import type { ChosenBackend } from '../../../worker/protocol';

const NAMES: Record<ChosenBackend['backend'], string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/** ["WASM", "SIMD", "2 threads"]: the name and the facts before any explanation (after a ";"),
 * without the kernels note, which matters to the project, not to someone choosing a backend. */
export function chipParts(chosen: Pick<ChosenBackend, 'backend' | 'info'>): string[] {
  const facts = chosen.info
    .split(';')[0]
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '' && !/kernels$/.test(f));
  return [NAMES[chosen.backend], ...facts];
}

/** The reasons one by one: the worker joins the backends it passed over with "; ". */
export function reasonsOf(reason: string): string[] {
  return reason
    .split(';')
    .map((r) => r.trim())
    .filter(Boolean);
}
