// `npm run experiment`: trains a few-shot method on meta-train classes and evaluates it on held-out
// classes from the command line, on the same core the playground runs. Bad flags print the usage
// text and exit with status 2; other errors print their message (DEBUG=1 adds the stack).
import { parseExperimentArgs, USAGE, UsageError, type ExperimentArgs } from './experimentArgs';
import { runExperiment } from './runExperiment';

async function main(): Promise<void> {
  let args: ExperimentArgs;
  try {
    args = parseExperimentArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`Error: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  try {
    await runExperiment(args);
    // wasm worker threads keep Node's event loop alive; the run is complete.
    process.exit(0);
  } catch (error) {
    process.stderr.write(`\nError: ${(error as Error).message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  }
}

void main();
