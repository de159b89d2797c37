// The interim page (index.html) until the React playground lands: chooses a backend in the compute
// worker, trains Prototypical Networks on the built-in glyphs with live progress, pauses, stops and
// evaluates on held-out classes. It also exposes the compute client as window.fewShotLab, so the
// browser tests and `npm run bench:browser` drive the same worker the page uses.
import type { ComputeClient } from './worker/client';
import { createComputeClient } from './worker/createWorker';
import type { BackendPreference } from './worker/protocol';

const client = createComputeClient();
(window as unknown as { fewShotLab: { client: ComputeClient } }).fewShotLab = { client };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const [trainButton, pauseButton, stopButton, evaluateButton] = ['train', 'pause', 'stop', 'evaluate'].map((id) => $<HTMLButtonElement>(id));
const say = (id: string, text: string) => ($(id).textContent = text);

/** "45 s", "12 min", "3 h 20 min". */
function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

let runId = '';
let runs = 0;
let chosen: BackendPreference | null = null;
let datasetReady = false;

client.on((event) => {
  if (event.type === 'backend') say('backend', `Backend: ${event.backend} (${event.info}). Why: ${event.reason}.`);
  if (event.type === 'progress' && event.runId === runId) {
    const last = event.points.at(-1);
    const eta = Number.isFinite(event.etaSeconds) ? `, about ${duration(event.etaSeconds)} left` : '';
    const metrics = last ? ` loss ${last.loss.toFixed(3)}, training accuracy ${((last.accuracy ?? 0) * 100).toFixed(1)}%` : '';
    say('progress', `${event.paused ? 'Paused at step' : 'Step'} ${event.step} of ${event.totalSteps} (${event.stepsPerSecond.toFixed(1)} steps/s${eta}).${metrics}`);
  }
  if (event.type === 'warning' || event.type === 'restarted') say('problem', event.message);
  if (event.type === 'error') say('problem', event.message);
  if (event.type === 'finished' && event.runId === runId) {
    say('progress', `Training ${event.status} after ${event.stepsDone} steps.${event.message ? ` ${event.message}` : ''}`);
    trainButton.disabled = false;
    pauseButton.disabled = stopButton.disabled = true;
    evaluateButton.disabled = event.status === 'failed';
  }
  if (event.type === 'evaluationProgress' && event.runId === runId) say('result', `Evaluating: ${event.done} of ${event.total} test episodes ...`);
});

trainButton.addEventListener('click', async () => {
  say('problem', '');
  say('result', '');
  trainButton.disabled = true;
  try {
    const backend = (new FormData(form).get('backend') as BackendPreference) ?? 'auto';
    if (backend !== chosen) {
      say('backend', 'Backend: choosing ...');
      await client.init(backend);
      chosen = backend;
    }
    if (!datasetReady) {
      await client.loadDataset('glyphs', { kind: 'glyphs' });
      datasetReady = true;
    }
    const steps = Number(new FormData(form).get('steps'));
    runId = `run-${++runs}`;
    await client.start(runId, { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 15, trainWay: 20, trainQuery: 5 }, method: 'protonet', steps, seed: 1 });
    pauseButton.disabled = stopButton.disabled = false;
    pauseButton.textContent = 'Pause';
    evaluateButton.disabled = true;
  } catch (error) {
    say('problem', (error as Error).message);
    trainButton.disabled = false;
  }
});

pauseButton.addEventListener('click', async () => {
  const paused = pauseButton.textContent === 'Resume';
  await (paused ? client.resume(runId) : client.pause(runId));
  pauseButton.textContent = paused ? 'Pause' : 'Resume';
});

stopButton.addEventListener('click', () => void client.stop(runId));

evaluateButton.addEventListener('click', async () => {
  evaluateButton.disabled = true;
  try {
    const e = await client.evaluate(runId, 600, 2017);
    const s = e.results[0].summary;
    say(
      'result',
      `Accuracy on held-out classes: ${(100 * s.mean).toFixed(2)}% ± ${(100 * s.ci95).toFixed(2)}% (95% CI), ` +
        `5-way 1-shot, ${e.episodes} test episodes of ${e.splitClasses} ${e.split} classes, seed ${e.seed}, ` +
        `batch norm: ${e.labels.batchNormAtTest ?? '-'}, backend ${e.backend}.`,
    );
  } catch (error) {
    say('problem', (error as Error).message);
  } finally {
    evaluateButton.disabled = false;
  }
});
