// The experiment CLI as a user runs it: flags parsed with clear errors and usage help (never a stack
// trace), and a short real run that prints a results table and writes complete JSON.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperimentArgs, UsageError } from '../../src/cli/experimentArgs';

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
}

describe('parseExperimentArgs', () => {
  it('fills defaults: glyphs, protonet, 5-way 1-shot 15 queries, train-way = way, 600 test episodes', () => {
    const a = parseExperimentArgs([]);
    expect(a).toMatchObject({ dataset: 'glyphs', methods: ['protonet'], way: 5, shot: 1, query: 15, trainWay: 5, evalEpisodes: 600, backend: 'wasm' });
  });

  it('reads the flags of the documented Omniglot command', () => {
    const a = parseExperimentArgs(['--dataset', 'omniglot', '--data', 'x.zip', '--way', '20', '--shot', '5', '--train-way', '60', '--hp', 'learningRate=0.002', '--split', '24,6,0']);
    expect(a).toMatchObject({ dataset: 'omniglot', data: 'x.zip', way: 20, shot: 5, trainWay: 60, hyper: { learningRate: 0.002 } });
    expect(a.split).toEqual({ train: 24, val: 6, test: 0 });
  });

  it('reads Omniglot without a path as the official background archive, and the evaluation archive by name', () => {
    expect(parseExperimentArgs(['--dataset', 'omniglot'])).toMatchObject({ data: 'omniglot:background', evalData: undefined });
    expect(parseExperimentArgs(['--dataset', 'omniglot', '--eval-data', 'omniglot:evaluation'])).toMatchObject({ data: 'omniglot:background', evalData: 'omniglot:evaluation' });
  });

  it('explains mistakes', () => {
    expect(() => parseExperimentArgs(['--wya', '5'])).toThrow(UsageError);
    expect(() => parseExperimentArgs(['--shot', '0'])).toThrow(/--shot must be a whole number of at least 1/);
    expect(() => parseExperimentArgs(['--dataset', 'folder'])).toThrow(/needs --data PATH/);
    expect(() => parseExperimentArgs(['--dataset', 'omniglot', '--data', 'omniglot:train'])).toThrow(/takes a path, omniglot:background or omniglot:evaluation; got "omniglot:train"/);
    expect(() => parseExperimentArgs(['--dataset', 'folder', '--data', 'omniglot:background'])).toThrow(/is an Omniglot archive: add --dataset omniglot/);
    expect(() => parseExperimentArgs(['--dataset', 'mnist'])).toThrow(/glyphs, omniglot, sinusoid or folder/);
    expect(() => parseExperimentArgs(['--method', 'nope'])).toThrow(/--method takes methods among protonet/);
    expect(() => parseExperimentArgs(['--method', 'maml', '--compare', 'protonet,maml'])).toThrow(/not both/);
    expect(parseExperimentArgs(['--compare', 'protonet,fomaml']).methods).toEqual(['protonet', 'fomaml']);
    expect(() => parseExperimentArgs(['--backend', 'webgl'])).toThrow(/wasm or cpu/);
  });

  it('reads sine-wave regression flags, with the paper\'s K = 10 and regression methods only', () => {
    const a = parseExperimentArgs(['--dataset', 'sinusoid', '--compare', 'maml,finetune', '--eval-steps', '0,1,10']);
    expect(a).toMatchObject({ dataset: 'sinusoid', methods: ['maml', 'finetune'], shot: 10, query: 100, trainShot: 10, trainQuery: 10, evalSteps: [0, 1, 10] });
    expect(parseExperimentArgs(['--dataset', 'sinusoid']).methods).toEqual(['maml']);
    expect(() => parseExperimentArgs(['--dataset', 'sinusoid', '--method', 'protonet'])).toThrow(/Prototypical Networks is a method of image classification, not sine-wave regression/);
    expect(() => parseExperimentArgs(['--dataset', 'sinusoid', '--way', '5'])).toThrow(/--way is for image datasets/);
    expect(() => parseExperimentArgs(['--dataset', 'sinusoid', '--eval-steps', '1,x'])).toThrow(/--eval-steps takes whole numbers/);
  });
});

describe('npm run experiment', () => {
  it('prints usage, not a stack trace, for a bad flag', () => {
    const r = cli(['--way', 'five']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Error: --way must be a whole number/);
    expect(r.stderr).toMatch(/Usage: npm run experiment/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('says what to change when the sampler asks too much of the data', () => {
    const r = cli(['--way', '1000', '--episodes', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Training ways is 1000 but the training split has \d+ classes: choose at most \d+/);
  });

  it('trains, evaluates on held-out classes and writes the results JSON', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fsl-')), 'results.json');
    const r = cli(['--episodes', '15', '--eval-episodes', '30', '--val-every', '10', '--val-episodes', '5', '--way', '5', '--shot', '1', '--query', '5', '--out', out]);
    expect(r.stderr + r.stdout).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/accuracy\s+\d+\.\d\d% ± \d+\.\d\d% \(95% CI\)/);
    expect(r.stdout).toMatch(/5-way 1-shot, 5 queries\/class, 30 test episodes/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.config).toMatchObject({ dataset: 'glyphs', methods: ['protonet'], steps: 15, testEpisodes: { way: 5, shot: 1, query: 5 } });
    // ProtoNet alone trains on its own recipe's episodes, and says so.
    expect(json.config.trainEpisodes).toEqual({ way: 20, shot: 1, query: 5 });
    expect(r.stderr).toMatch(/Training episodes: 20-way 1-shot 5-query, the recipe for Prototypical Networks/);
    expect(json.versions.tfjs).toBe('4.22.0');
    expect(json.backend).toBe('wasm');
    const [run] = json.runs;
    expect(run.training.curve).toHaveLength(15);
    expect(run.training.validation).toHaveLength(1);
    expect(run.evaluation.perEpisodeAccuracy).toHaveLength(30);
    expect(run.evaluation.split).toBe('test');
    expect(run.evaluation.meanAccuracy).toBeGreaterThan(0.2);
    expect(run.evaluation.ci95).toBeGreaterThan(0);
  });

  it('compares methods on identical episodes with a paired difference', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fsl-')), 'compare.json');
    const r = cli(['--compare', 'protonet,fomaml', '--episodes', '4', '--eval-episodes', '12', '--val-every', '0', '--query', '3', '--hp', 'fomaml.testInnerSteps=2', '--out', out]);
    expect(r.stderr + r.stdout).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Prototypical Networks\s+\d+\.\d\d% ± \d+\.\d\d%\s+baseline/);
    expect(r.stdout).toMatch(/First-order MAML\s+\d+\.\d\d% ± \d+\.\d\d%\s+-?\d+\.\d\d% ± \d+\.\d\d%/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.runs.map((x: { method: string }) => x.method)).toEqual(['protonet', 'fomaml']);
    // Compared methods train on the same episodes: the test's, unless the flags say otherwise.
    expect(json.config.trainEpisodes).toEqual({ way: 5, shot: 1, query: 3 });
    expect(json.runs[1].hyperparameters.testInnerSteps).toBe(2);
    const [a, b] = json.runs.map((x: { evaluation: { perEpisodeAccuracy: number[] } }) => x.evaluation.perEpisodeAccuracy);
    const mean = a.reduce((s: number, v: number, i: number) => s + (b[i] - v), 0) / a.length;
    expect(json.comparison[0].difference.mean).toBeCloseTo(mean, 10);
  });

  it('runs sine-wave regression: MSE after 1 and 10 steps per method, paired differences, JSON', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fsl-')), 'sine.json');
    const r = cli(['--dataset', 'sinusoid', '--compare', 'maml,finetune', '--episodes', '30', '--eval-episodes', '40', '--threads', '1', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/MSE after 1 step \(95% CI\)\s+MSE after 10 steps \(95% CI\)/);
    expect(r.stdout).toMatch(/^MAML\s+\d+\.\d{3} ± \d+\.\d{3}\s+\d+\.\d{3} ± \d+\.\d{3}\s+baseline/m);
    expect(r.stdout).toMatch(/^Fine-tuning baseline.*-?\d+\.\d{3} ± \d+\.\d{3}\s+-?\d+\.\d{3} ± \d+\.\d{3}$/m);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.config).toMatchObject({ dataset: 'sinusoid', family: 'regression', testEpisodes: { shot: 10, query: 100 }, evalSteps: [1, 10] });
    expect(json.runs).toHaveLength(2);
    expect(json.runs[0].training.curve).toHaveLength(30);
    expect(json.runs[0].evaluation.mse[1].perTask).toHaveLength(40);
    expect(json.comparison[0].differences[0].difference.episodes).toBe(40);
  });

  it('stops after the current step on Ctrl-C and still evaluates and reports what it trained', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', '--episodes', '100000', '--eval-episodes', '20', '--val-every', '0', '--threads', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Interrupted once the progress bar shows a finished training step (not after a fixed time).
    await new Promise<void>((resolve) => {
      const check = () => {
        if (/Training Prototypical Networks[\s\S]*\b[1-9]\d*\/100000\b/.test(stderr)) {
          child.stderr.off('data', check);
          resolve();
        }
      };
      child.stderr.on('data', check);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toMatch(/Stopping after this step/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/status\s+stopped: Stopped at step \d+ of 100000/);
    expect(stdout).toMatch(/accuracy\s+\d+\.\d\d% ± \d+\.\d\d% \(95% CI\)/);
  });
});
