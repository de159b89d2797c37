// Finds a python3 that imports torch, for the PyTorch peer of `npm run bench` and the export's
// cross-framework tests. The project installs and passes without one; callers say what they skip.
import { spawnSync } from 'node:child_process';

const found = new Map<string, string | null>();

/**
 * The first of $PYTHON, python3 on the PATH and Debian's /usr/bin/python3 that imports every one
 * of `modules` (default torch), or null. Checked once per module list.
 */
export function findTorchPython(modules: string[] = ['torch']): string | null {
  const key = modules.join(',');
  if (found.has(key)) return found.get(key)!;
  let python: string | null = null;
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-c', `import ${key}`], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) {
      python = candidate;
      break;
    }
  }
  found.set(key, python);
  return python;
}
