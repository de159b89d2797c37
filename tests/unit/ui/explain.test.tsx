// @vitest-environment jsdom
// The teaching content: every method of both catalogs is explained in full with a link to its
// paper; every sampler setting has an explanation; every guided preset (and each of its comparison
// runs) is a valid setup with a method of its dataset and only that method's hyperparameters; the
// "About" panel shows title, formula and link; the preset picker applies a preset and says what to
// look at; the lessons use only shipped snapshots, quote their measured numbers, open from their
// link (embed keys kept), and the lesson panel walks a lesson's steps with the answers shown once
// the store has what they need.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { LESSONS, lessonSnapshots, stepShown, type LessonFacts } from '../../../src/ui/explain/lessons';
import { LessonPanel, lessonFromQuery, lessonLink } from '../../../src/ui/explain/LessonPanel';
import { SNAPSHOT_SPECS } from '../../../src/snapshots/specs';
import { checkedSnapshot, SNAPSHOT_MANIFEST } from '../../../src/snapshots/source';
import { StoreContext } from '../../../src/ui/state/context';
import { createPlaygroundStore } from '../../../src/ui/state/store';
import { scriptedClient } from './fixtures/scriptedClient';
import { memoryHistory, noOmniglot } from './fixtures/memoryHistory';
import { METHOD_CATALOG, resolveHyperparameters } from '../../../src/core/methods/catalog';
import { METHODS } from '../../../src/core/methods/registry';
import { REGRESSION_CATALOG } from '../../../src/core/regression/catalog';
import { REGRESSION_METHODS } from '../../../src/core/regression/registry';
import { DEFAULT_SETUP, methodInfo } from '../../../src/ui/state/setup';
import { setupProblems } from '../../../src/ui/state/setupProblems';
import { METHOD_EXPLANATIONS, SAMPLER_EXPLANATIONS, explanationFor, paperLinkLabel } from '../../../src/ui/explain/methodExplanations';
import { GUIDED_PRESETS, describeVariant, presetById, presetSetup } from '../../../src/ui/explain/presets';
import { MethodExplanation } from '../../../src/ui/explain/MethodExplanation';
import { PresetPicker } from '../../../src/ui/explain/PresetPicker';

const PAPER_LINK = /^https:\/\/(arxiv\.org\/abs\/\d{4}\.\d{4,5}|openreview\.net\/forum\?id=[\w-]+)$/;

describe('method explanations', () => {
  it('explains every method of both catalogs with all parts and a link to its paper', () => {
    const names = new Set([...Object.keys(METHOD_CATALOG), ...Object.keys(REGRESSION_CATALOG)]);
    // Every method either registry can run is described, and only those are explained.
    for (const name of [...Object.keys(METHODS), ...Object.keys(REGRESSION_METHODS)]) expect(names, name).toContain(name);
    expect(Object.keys(METHOD_EXPLANATIONS).sort()).toEqual([...names].sort());
    for (const name of names) {
      const e = explanationFor(name);
      expect(e, name).toBeDefined();
      // The panel's title is the name the method list shows.
      expect(e!.title, name).toBe((METHOD_CATALOG[name] ?? REGRESSION_CATALOG[name]).title);
      for (const part of ['learns', 'update', 'updateSpoken', 'worksWellWhen', 'defaults'] as const) {
        expect(e![part].trim().length, `${name}.${part}`).toBeGreaterThan(10);
      }
      expect(e!.paper.citation, name).toMatch(/^[A-Z].+\. "[^"]+\." .+\b20\d\d\.$/);
      expect(e!.paper.url, name).toMatch(PAPER_LINK);
      // Methods with a sine-regression form explain it.
      if (name in REGRESSION_CATALOG) expect(e!.regression, name).toMatch(/sine/i);
    }
    expect(explanationFor('protonet')!.regression).toBeUndefined();
    expect(explanationFor('toString')).toBeUndefined();
  });

  it("links each method to its own paper", () => {
    expect(METHOD_EXPLANATIONS.protonet.paper.url).toBe('https://arxiv.org/abs/1703.05175');
    expect(METHOD_EXPLANATIONS.maml.paper.url).toBe('https://arxiv.org/abs/1703.03400');
    expect(METHOD_EXPLANATIONS.fomaml.paper.url).toBe('https://arxiv.org/abs/1703.03400');
    expect(METHOD_EXPLANATIONS.finetune.paper.url).toBe('https://arxiv.org/abs/1904.04232');
    expect(METHOD_EXPLANATIONS.metalstm.paper.url).toBe('https://openreview.net/forum?id=rJY0-Kcll');
    expect(METHOD_EXPLANATIONS.finetune.paper.citation).toMatch(/A Closer Look at Few-shot Classification.*ICLR.*2019/);
    expect(METHOD_EXPLANATIONS.metalstm.paper.citation).toMatch(/Optimization as a Model for Few-Shot Learning.*ICLR.*2017/);
    expect(paperLinkLabel('https://arxiv.org/abs/1703.05175')).toBe('arXiv:1703.05175');
    expect(paperLinkLabel('https://openreview.net/forum?id=rJY0-Kcll')).toBe('OpenReview');
  });

  it('gives the key update of each method', () => {
    expect(METHOD_EXPLANATIONS.protonet.update).toContain('‖f_θ(x) − c_k‖²');
    expect(METHOD_EXPLANATIONS.maml.update).toContain('θ − β ∇_θ Σ_i L_query,i(θ′_i)');
    expect(METHOD_EXPLANATIONS.fomaml.update).toMatch(/∇_θ′ L_query,i\(θ′_i\).*not differentiated/);
    expect(METHOD_EXPLANATIONS.finetune.update).toMatch(/freeze f_θ.*cos/);
    expect(METHOD_EXPLANATIONS.metalstm.update).toContain('θ_t = f_t ⊙ θ_{t−1} − i_t ⊙ ∇_θ L_t');
  });

  it('explains every sampler setting, including transductive batch norm', () => {
    for (const key of ['way', 'shot', 'query', 'trainWay', 'split', 'augment', 'evalEpisodes', 'seed', 'batchNormAtTest']) {
      expect(SAMPLER_EXPLANATIONS[key]?.length ?? 0, key).toBeGreaterThan(40);
    }
    expect(SAMPLER_EXPLANATIONS.batchNormAtTest).toMatch(/non-transductive/i);
    expect(SAMPLER_EXPLANATIONS.batchNormAtTest).toMatch(/transductive/i);
  });
});

describe('guided presets', () => {
  it('has the guided comparisons, with unique ids and honest texts', () => {
    const ids = GUIDED_PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['shots', 'protonet-vs-finetune', 'maml-inner-steps', 'transductive-batch-norm']));
    for (const p of GUIDED_PRESETS) {
      expect(p.title.length, p.id).toBeGreaterThan(5);
      expect(p.summary.length, p.id).toBeGreaterThan(40);
      expect(p.lookAt, p.id).toMatch(/vary with training length and seed/);
      expect(presetById(p.id)).toBe(p);
    }
  });

  it('every preset over DEFAULT_SETUP, and every comparison run over its preset, is a valid setup of a method of its dataset', () => {
    for (const p of GUIDED_PRESETS) {
      const runs = [presetSetup(p), ...(p.compare ?? []).map((_, i) => presetSetup(p, i))];
      expect(presetSetup(p)).toEqual({ ...DEFAULT_SETUP, ...p.setup, hyperparameters: { ...p.setup.hyperparameters } });
      for (const [i, setup] of runs.entries()) {
        const label = `${p.id} run ${i + 1}`;
        expect(setupProblems(setup), label).toEqual({});
        const info = methodInfo(setup.dataset, setup.method);
        expect(info, label).toBeDefined();
        for (const name of Object.keys(setup.hyperparameters)) {
          expect(info!.hyperparameters, `${label}: ${name}`).toHaveProperty(name);
          expect(info!.defaults, `${label}: ${name}`).toHaveProperty(name);
        }
        // What the worker does with them: no unknown name, type, choice or range.
        expect(() => resolveHyperparameters(info!, setup.hyperparameters), label).not.toThrow();
        // Modest runs for a laptop CPU.
        expect(setup.steps, label).toBeLessThanOrEqual(setup.dataset === 'sinusoid' ? 2000 : 300);
        // MAML and Meta-LSTM need as many training ways as test ways.
        if (['maml', 'fomaml', 'metalstm'].includes(setup.method) && setup.dataset !== 'sinusoid') expect(setup.trainWay, label).toBe(setup.way);
        // Comparison runs share the first run's seed and evaluation episodes count.
        expect(setup.seed, label).toBe(runs[0].seed);
        expect(setup.evalEpisodes, label).toBe(runs[0].evalEpisodes);
      }
    }
  });

  it('sets up each comparison as described: one change, the rest the same', () => {
    const shots = presetById('shots')!;
    expect(presetSetup(shots)).toMatchObject({ dataset: 'glyphs', method: 'protonet', way: 5, shot: 1 });
    expect(presetSetup(shots, 0)).toEqual({ ...presetSetup(shots), shot: 5 });

    const vsFinetune = presetById('protonet-vs-finetune')!;
    expect(presetSetup(vsFinetune, 0)).toEqual({ ...presetSetup(vsFinetune), method: 'finetune', hyperparameters: {} });

    const maml = presetById('maml-inner-steps')!;
    expect(presetSetup(maml).method).toBe('maml');
    expect([0, 1].map((i) => presetSetup(maml, i).hyperparameters.testInnerSteps)).toEqual([1, 0]);
    expect(presetSetup(maml).hyperparameters.testInnerSteps).toBe(10);

    const bn = presetById('transductive-batch-norm')!;
    expect(presetSetup(bn).hyperparameters.batchNormAtTest).toBe('running');
    expect(presetSetup(bn, 0)).toEqual({ ...presetSetup(bn), hyperparameters: { batchNormAtTest: 'batch' } });

    // The user's backend is kept; a missing comparison run is an error.
    expect(presetSetup(shots, undefined, { ...DEFAULT_SETUP, backend: 'wasm' }).backend).toBe('wasm');
    expect(() => presetSetup(shots, 3)).toThrow(/no comparison run 3/);
  });

  it('describes a comparison run by what it changes', () => {
    expect(describeVariant({ shot: 5 })).toBe('K = 5');
    expect(describeVariant({ method: 'finetune', hyperparameters: {} })).toBe('method: Fine-tuning baseline (Baseline / Baseline++)');
    expect(describeVariant({ hyperparameters: { testInnerSteps: 1 } })).toBe('Inner steps at test = 1');
    expect(describeVariant({ method: 'finetune' }, { ...DEFAULT_SETUP, dataset: 'sinusoid' })).toBe('method: Fine-tuning baseline (pre-trained on all tasks)');
  });
});

describe('MethodExplanation', () => {
  it('renders the title, the formula and the paper link in a collapsible panel', () => {
    const { container } = render(<MethodExplanation method="protonet" dataset="glyphs" />);
    const e = METHOD_EXPLANATIONS.protonet;
    expect(container.querySelector('details')).not.toBeNull();
    expect(screen.getByText('About Prototypical Networks')).toBeInTheDocument();
    const formula = screen.getByRole('math', { hidden: true });
    expect(formula.textContent).toBe(e.update);
    expect(formula).toHaveAccessibleName(e.updateSpoken);
    const link = screen.getByRole('link', { name: /arXiv:1703\.05175/, hidden: true });
    expect(link).toHaveAttribute('href', 'https://arxiv.org/abs/1703.05175');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(screen.getByText(e.learns)).toBeInTheDocument();
    expect(screen.getByText(e.worksWellWhen)).toBeInTheDocument();
    // The sine-wave part appears only on sine waves.
    expect(screen.queryByText('On sine waves')).toBeNull();
  });

  it('adds the sine-wave note on sine waves, and says when a method has none', () => {
    const { unmount } = render(<MethodExplanation method="maml" dataset="sinusoid" />);
    expect(screen.getByText('About MAML')).toBeInTheDocument();
    expect(screen.getByText(METHOD_EXPLANATIONS.maml.regression!)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /arXiv:1703\.03400/, hidden: true })).toHaveAttribute('href', 'https://arxiv.org/abs/1703.03400');
    unmount();
    render(<MethodExplanation method="protonet" dataset="sinusoid" />);
    expect(screen.getByText(/no regression form/)).toBeInTheDocument();
  });

  it('links Meta-LSTM to OpenReview and renders nothing for an unknown method', () => {
    const { container, unmount } = render(<MethodExplanation method="metalstm" dataset="omniglot" />);
    expect(screen.getByRole('link', { name: /OpenReview/, hidden: true })).toHaveAttribute('href', 'https://openreview.net/forum?id=rJY0-Kcll');
    expect(within(container).getByRole('math', { hidden: true })).toHaveTextContent('θ_t = f_t ⊙ θ_{t−1} − i_t ⊙ ∇_θ L_t');
    unmount();
    const empty = render(<MethodExplanation method="knn" dataset="glyphs" />);
    expect(empty.container).toBeEmptyDOMElement();
  });
});

describe('PresetPicker', () => {
  it('applies the chosen preset and shows what to look at in a note', () => {
    const onApply = vi.fn();
    render(<PresetPicker onApply={onApply} />);
    const select = screen.getByLabelText('Guided preset');
    expect(screen.queryByRole('note')).toBeNull();
    const preset = presetById('maml-inner-steps')!;
    fireEvent.change(select, { target: { value: preset.id } });
    // The hint says what the chosen preset sets.
    expect(select).toHaveAccessibleDescription(preset.summary);
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(onApply).toHaveBeenCalledTimes(1);
    expect(onApply).toHaveBeenCalledWith(preset);
    const note = screen.getByRole('note');
    expect(note).toHaveTextContent(preset.lookAt);
    expect(note).toHaveTextContent('Inner steps at test = 1');
    expect(note).toHaveTextContent('Inner steps at test = 0');
  });

  it('sets up each comparison run from the note when asked', () => {
    const onApply = vi.fn();
    const onApplyVariant = vi.fn();
    render(<PresetPicker onApply={onApply} onApplyVariant={onApplyVariant} />);
    fireEvent.change(screen.getByLabelText('Guided preset'), { target: { value: 'shots' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    const note = screen.getByRole('note');
    fireEvent.click(within(note).getByRole('button', { name: 'Set up run 2: K = 5' }));
    expect(onApplyVariant).toHaveBeenCalledWith(presetById('shots'), 0);
    expect(onApply).toHaveBeenCalledWith(presetById('shots'));
  });

  it('disables the controls while a run trains', () => {
    render(<PresetPicker onApply={() => {}} disabled />);
    expect(screen.getByLabelText('Guided preset')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled();
  });
});

describe('lessons', () => {
  const facts: LessonFacts = {
    entry: (id) => SNAPSHOT_MANIFEST.entries.find((e) => e.id === id),
    run: () => undefined,
    inspection: null,
    sineFit: null,
  };

  it('has the six lessons, each step complete, using only the snapshots the app ships', () => {
    expect(LESSONS.map((l) => l.title)).toEqual(
      expect.arrayContaining(['What is an episode?', '1 shot vs 5 shots', 'Prototypes in feature space', "MAML's inner loop", 'Fine-tuning vs meta-learning', 'Augmenting a few examples']),
    );
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    const shipped = SNAPSHOT_SPECS.map((s) => s.id);
    for (const lesson of LESSONS) {
      expect(lesson.steps.length, lesson.id).toBeGreaterThanOrEqual(2);
      for (const id of lessonSnapshots(lesson)) expect(shipped, lesson.id).toContain(id);
      for (const step of lesson.steps) {
        for (const part of [step.title, step.task, step.lookAt]) expect(part.trim().length, lesson.id).toBeGreaterThan(5);
        expect(step.question, lesson.id).toContain('?');
        const ids = step.shows.kind === 'runs' ? step.shows.ids : [step.shows.id];
        for (const id of ids) expect(shipped, lesson.id).toContain(id);
        // Answers quote the manifest's numbers, never a hole.
        expect(step.answer(facts), `${lesson.id}: ${step.title}`).not.toMatch(/undefined|NaN|missing from this build/);
      }
    }
    const shots = LESSONS.find((l) => l.id === 'shots')!.steps[1].answer(facts);
    const one = SNAPSHOT_MANIFEST.entries.find((e) => e.id === 'protonet-glyphs-5w1s')!.evaluation.shipped[0];
    expect(shots).toContain(`${(100 * one.mean).toFixed(1)}% ± ${(100 * one.ci95).toFixed(1)}%`);
  });

  it('opens from its link, which keeps the embed keys', () => {
    expect(lessonFromQuery('?lesson=shots')?.id).toBe('shots');
    expect(lessonFromQuery('?lesson=nope')).toBeUndefined();
    expect(lessonLink('shots', '?embed=1&way=7&origin=https://h.example&hide=history')).toBe('?embed=1&hide=history&origin=https%3A%2F%2Fh.example&lesson=shots');
    expect(lessonLink('episode', '?way=7')).toBe('?lesson=episode');
  });

  it('walks a lesson: the step starts from snapshots, and the answer shows once both runs are there', async () => {
    const dir = join(__dirname, '../../../public/snapshots');
    const read = (file: string) => new Uint8Array(readFileSync(join(dir, file)));
    const scripted = scriptedClient();
    const client = { ...scripted.client, restore: async () => {}, runState: async () => ({}) };
    const store = createPlaygroundStore({
      client,
      history: memoryHistory(),
      omniglot: noOmniglot,
      snapshots: { entries: SNAPSHOT_MANIFEST.entries, load: async (e) => checkedSnapshot(e, read(`${e.id}.json`), read(`${e.id}.bin`)) },
    });
    await act(() => store.getState().start());
    render(
      <StoreContext.Provider value={store}>
        <LessonPanel />
      </StoreContext.Provider>,
    );
    fireEvent.change(screen.getByLabelText('Lesson'), { target: { value: 'shots' } });
    expect(screen.getByText('Step 1 of 2: One example per class')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Load the 1-shot model' }));
    await waitFor(() => expect(store.getState().runs).toHaveLength(1));
    // Its answer needs the episode viewer's episode, which this store has not loaded: asked for, it shows.
    expect(screen.getByText(/The answer appears once the run shows it/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Show the answer now' }));
    expect(screen.queryByText(/The answer appears once the run shows it/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Next step' }));
    expect(screen.getByText(/The answer appears once the run shows it/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Load the 5-shot model' }));
    await waitFor(() => expect(screen.queryByText(/The answer appears once the run shows it/)).toBeNull());
    expect(store.getState().runs.map((r) => r.snapshot?.id)).toEqual(['protonet-glyphs-5w5s', 'protonet-glyphs-5w1s']);
    expect(screen.getByText(/1 shot: \d+\.\d% ± \d+\.\d% .*5 shots: \d+\.\d%/)).toBeInTheDocument();
    expect(stepShown(LESSONS[1].steps[1], { ...facts, run: (id) => store.getState().runs.find((r) => r.snapshot?.id === id), currentRunId: null })).toBe(true);
    expect(screen.getByRole('link', { name: 'Link to this lesson' })).toHaveAttribute('href', '?lesson=shots');
  });
});
