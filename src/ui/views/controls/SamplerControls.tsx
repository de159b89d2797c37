// The task sampler, as the dataset's task family lists it (core/experiment/taskFamily.ts): for image
// classification N ways, K shots and Q queries of the test episodes (on classes held out from
// training) and the ways of training episodes; for sine regression K support and Q query points.
// The class split and augmentation have their own group lower in the panel (ClassSplitControls). Labels, hints and least values are the family's.
import { useId } from 'react';
import { familyOf } from '../../../core/experiment/datasets';
import type { SamplerControl } from '../../../core/experiment/taskFamily';
import { usePlayground } from '../../state/context';
import { FieldRow, NumberField } from './Field';

/** The controls of one test episode, shown side by side; the training sampler's follow below. */
const EPISODE_CONTROLS: readonly SamplerControl[] = ['way', 'shot', 'query'];

export function SamplerControls({ disabled }: { disabled: boolean }) {
  const setup = usePlayground((s) => s.setup);
  const problems = usePlayground((s) => s.problems);
  const setSetup = usePlayground((s) => s.setSetup);
  const family = familyOf(setup.dataset);
  const rowId = useId();
  const shown = EPISODE_CONTROLS.filter((control) => family.samplerControls[control]);
  const errorIdOf = (control: SamplerControl) => `${rowId}-${control}-error`;

  const field = (control: SamplerControl, errorId?: string) => {
    const c = family.samplerControls[control];
    if (!c) return null;
    return (
      <NumberField key={control} label={c.label} value={setup[control]} min={c.min} onChange={(value) => setSetup({ [control]: value })}
        error={problems[control]} errorId={errorId} disabled={disabled} hint={c.hint} />
    );
  };

  return (
    <fieldset className="panel__group">
      <legend>{family.samplerTitle}</legend>
      <FieldRow errors={shown.map((control) => ({ id: errorIdOf(control), message: problems[control] }))}>
        {shown.map((control) => field(control, errorIdOf(control)))}
      </FieldRow>
      {field('trainWay')}
    </fieldset>
  );
}
