// How long to train and how to measure: training steps, validation interval, test episodes of the
// evaluation, the seed (class split, initialisation, episodes) and the compute backend.
import { familyOf } from '../../../core/experiment/datasets';
import { usePlayground } from '../../state/context';
import { useHidden } from '../hiddenControls';
import type { BackendPreference } from '../../../worker/protocol';
import { NumberField, SelectField } from './Field';

const BACKENDS: ReadonlyArray<{ value: BackendPreference; label: string }> = [
  { value: 'auto', label: 'Auto (fastest that works)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WASM' },
  { value: 'cpu', label: 'CPU (plain JavaScript)' },
];

export function TrainingControls({ disabled }: { disabled: boolean }) {
  const setup = usePlayground((s) => s.setup);
  // In the family's words: sine regression has tasks, not episodes, and no class split.
  const family = familyOf(setup.dataset);
  const tasks = family.taskNoun.many;
  const problems = usePlayground((s) => s.problems);
  const setSetup = usePlayground((s) => s.setSetup);
  const hideSeed = useHidden('seed');
  const hideBackend = useHidden('backend');
  return (
    <fieldset className="panel__group">
      <legend>Training and evaluation</legend>
      <NumberField label="Training steps" value={setup.steps} min={1} onChange={(steps) => setSetup({ steps })} error={problems.steps} disabled={disabled}
        hint={`Meta-training steps (each a batch of ${tasks}).`} />
      <NumberField label="Validate every" value={setup.valEvery} min={0} onChange={(valEvery) => setSetup({ valEvery })} error={problems.valEvery} disabled={disabled}
        hint={family.validateEveryHint} />
      <NumberField label={`Test ${tasks}`} value={setup.evalEpisodes} min={10} onChange={(evalEpisodes) => setSetup({ evalEpisodes })} error={problems.evalEpisodes}
        hint={family.splitsClasses
          ? 'Episodes of held-out test classes that Evaluate averages over (the field reports 600).'
          : `New ${tasks} that Evaluate averages the ${family.metric.shortLabel} over.`} />
      {!hideSeed && (
      <NumberField label="Seed" value={setup.seed} min={0} onChange={(seed) => setSetup({ seed })} error={problems.seed} disabled={disabled}
        hint={family.splitsClasses
          ? 'Fixes the class split, the initial weights and the training episodes: same seed, same run.'
          : `Fixes the initial weights and the training and test ${tasks}: same seed, same run.`} />
      )}
      {!hideBackend && (
      <SelectField label="Backend" value={setup.backend} options={BACKENDS} onChange={(backend) => setSetup({ backend })} error={problems.backend} disabled={disabled}
        hint="Where the worker computes. Auto tries WebGPU, WebGL, WASM, CPU and skips software GPUs." />
      )}
    </fieldset>
  );
}
