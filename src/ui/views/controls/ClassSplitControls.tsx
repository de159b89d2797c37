// The controls of families that split classes by group (image classification): how class groups
// split into training, validation and test, and the training augmentation of images: a group of
// the setup panel below the method (settings changed less often than the episode's N, K and Q),
// shown only when the dataset's family has them.
import { useId } from 'react';
import { familyOf } from '../../../core/experiment/datasets';
import { usePlayground } from '../../state/context';
import { FieldRow, NumberField } from './Field';

export function ClassSplitControls({ disabled }: { disabled: boolean }) {
  const split = usePlayground((s) => s.setup.split);
  const augmentShift = usePlayground((s) => s.setup.augmentShift);
  const augmentFlip = usePlayground((s) => s.setup.augmentFlip);
  const problems = usePlayground((s) => s.problems);
  const setSetup = usePlayground((s) => s.setSetup);
  const augmentErrorId = `${useId()}-augment-error`;
  const splitsClasses = usePlayground((s) => familyOf(s.setup.dataset).splitsClasses);
  if (!splitsClasses) return null;
  return (
    <fieldset className="panel__group">
      <legend>Split and augmentation</legend>
      <fieldset className="split" aria-describedby={problems.split ? 'split-error' : undefined}>
        <legend>Class split (% of class groups)</legend>
        <div className="field-row">
          <NumberField label="Training %" value={split.train} min={0} max={100} onChange={(train) => setSetup({ split: { ...split, train } })} disabled={disabled} />
          <NumberField label="Validation %" value={split.val} min={0} max={100} onChange={(val) => setSetup({ split: { ...split, val } })} disabled={disabled} />
          <NumberField label="Test %" value={split.test} min={0} max={100} onChange={(test) => setSetup({ split: { ...split, test } })} disabled={disabled} />
        </div>
        {problems.split ? (
          <p id="split-error" className="field__error" role="alert">
            {problems.split}
          </p>
        ) : (
          <p className="field__hint">Whole alphabets go to one side, so test classes are never seen in training. Evaluation uses the test classes.</p>
        )}
      </fieldset>
      <FieldRow errors={[{ id: augmentErrorId, message: problems.augment }]}>
        <NumberField label="Random shift (pixels)" value={augmentShift} min={0} max={8} onChange={(shift) => setSetup({ augmentShift: shift })}
          error={problems.augment} errorId={augmentErrorId} disabled={disabled} hint="Training augmentation: shift images by up to this many pixels." />
        <div className="field field--check">
          <label>
            <input type="checkbox" checked={augmentFlip} disabled={disabled} onChange={(e) => setSetup({ augmentFlip: e.target.checked })} /> Random horizontal flips
          </label>
        </div>
      </FieldRow>
    </fieldset>
  );
}
