// The image-classification family's check of a run against a dataset's classes: one rule, which
// the planner refuses a run with (in the worker and the CLI) and the page runs on the dataset's
// summary while the setup is edited. Here: both give the same problems, and what each one says.
import { describe, expect, it } from 'vitest';
import { CLASSIFICATION } from '../../src/core/classification/family';
import { planExperiment } from '../../src/core/experiment/planExperiment';
import type { RunConfig } from '../../src/core/experiment/runConfig';
import { problemsOf } from '../../src/core/settingProblems';
import { toyDataset } from './fixtures/toyDataset';

// 10 groups of 5 classes: a 70/10/20 split gives 35 training, 5 validation and 10 test classes.
const uneven = Array.from({ length: 50 }, (_, i) => (i === 0 ? 12 : 20));
const dataset = toyDataset(10, 5, uneven);
/** What the worker's summary carries: no pixels. */
const listing = { classes: dataset.classes.map(({ name, group, count }) => ({ name, group, count })) };
const config = (patch: Partial<Omit<RunConfig, 'sampler'>> & { sampler?: Partial<RunConfig['sampler']> } = {}): RunConfig => ({
  datasetId: 'toy',
  split: { train: 0.7, val: 0.1, test: 0.2 },
  method: 'protonet',
  steps: 10,
  seed: 1,
  valEvery: 5,
  ...patch,
  sampler: { way: 5, shot: 1, query: 5, trainWay: 5, ...patch.sampler },
});

/** The planner's refusal of a run, as the worker answers it. */
function plannerProblems(c: RunConfig) {
  try {
    planExperiment({ family: 'classification', dataset }, c);
  } catch (error) {
    return problemsOf(error);
  }
  throw new Error('the run was planned');
}

describe("the classification family's data check", () => {
  it('is what the planner refuses a run with, setting by setting', () => {
    for (const c of [
      config({ sampler: { way: 11 } }),
      config({ sampler: { trainWay: 36 } }),
      config({ sampler: { way: 6 } }),
      config({ sampler: { shot: 10, query: 11 } }),
    ]) {
      const problems = CLASSIFICATION.dataProblems!(listing, c);
      expect(problems.length).toBeGreaterThan(0);
      expect(plannerProblems(c)).toEqual(problems);
    }
  });

  it('says what to do: the most ways each split allows, or a bigger share', () => {
    const [test] = CLASSIFICATION.dataProblems!(listing, config({ sampler: { way: 11 }, valEvery: 0 }));
    expect(test).toEqual({ code: 'too-few-classes', field: 'way', message: 'Ways (N) is 11 but the test split has 10 classes: choose at most 10, or give the test split a bigger share.' });
    const [train] = CLASSIFICATION.dataProblems!(listing, config({ sampler: { trainWay: 36 } }));
    expect(train).toMatchObject({ field: 'trainWay', message: 'Training ways is 36 but the training split has 35 classes: choose at most 35, or give the training split a bigger share.' });
  });

  it('checks validation episodes (the test ways) on the validation split only when the run validates and the split has validation classes', () => {
    const validating = CLASSIFICATION.dataProblems!(listing, config({ sampler: { way: 6 } }));
    expect(validating).toEqual([
      {
        code: 'too-few-classes',
        field: 'way',
        message: 'Ways (N) is 6 but the validation split has 5 classes: choose at most 5, or give the validation split a bigger share, or set Validate every to 0 to train without validation.',
      },
    ]);
    expect(CLASSIFICATION.dataProblems!(listing, config({ sampler: { way: 6 }, valEvery: 0 }))).toEqual([]);
    // A split without validation classes is a choice to train without validation, not a problem.
    expect(CLASSIFICATION.dataProblems!(listing, config({ split: { train: 0.8, val: 0, test: 0.2 } }))).toEqual([]);
  });

  it("holds K + Q to the smallest class of each split it samples", () => {
    // Class 0 (12 images) lands in one split; K + Q = 13 is too many there and only there.
    const problems = CLASSIFICATION.dataProblems!(listing, config({ sampler: { shot: 3, query: 10 } }));
    expect(problems).toEqual([expect.objectContaining({ code: 'too-few-images', message: expect.stringMatching(/"g0\/c0" \(12\).*at most 12/) })]);
    expect(CLASSIFICATION.dataProblems!(listing, config({ sampler: { shot: 2, query: 10 } }))).toEqual([]);
  });

  it('reports a split the dataset cannot make instead of throwing', () => {
    expect(CLASSIFICATION.dataProblems!(listing, config({ split: { train: 7, val: 1, test: 1 } }))).toEqual([expect.objectContaining({ code: 'bad-split', field: 'split' })]);
  });
});
