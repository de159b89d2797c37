// `npm start`. The browser playground does not exist yet, so this runs a complete experiment on the
// built-in glyphs dataset (offline, nothing to download) and says so; flags are passed through to
// `npm run experiment` (e.g. `npm start -- --shot 5`).
import { parseExperimentArgs, USAGE, UsageError } from './experimentArgs';
import { runExperiment } from './runExperiment';

const defaults = ['--dataset', 'glyphs', '--method', 'protonet', '--way', '5', '--shot', '1', '--train-way', '20', '--episodes', '600', '--eval-episodes', '600'];

async function main(): Promise<void> {
  process.stderr.write(
    'Few-Shot Lab: the browser playground is not built yet, so `npm start` runs the headless\n' +
      'experiment CLI on the built-in glyphs dataset (Prototypical Networks, 5-way 1-shot on held-out\n' +
      'classes). See `npm run experiment -- --help` for every option.\n\n',
  );
  try {
    const args = parseExperimentArgs([...defaults, ...process.argv.slice(2)]);
    if (args.help) {
      process.stdout.write(USAGE);
      return;
    }
    await runExperiment(args);
    // wasm worker threads keep Node's event loop alive; the run is complete.
    process.exit(0);
  } catch (error) {
    const message = (error as Error).message;
    process.stderr.write(`Error: ${message}\n${error instanceof UsageError ? `\n${USAGE}` : ''}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}

void main();
