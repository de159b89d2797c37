// The task sampler: N ways, K shots and Q queries of the test episodes (on classes held out from
// training), the ways of training episodes, how class groups split into training, validation and
// test, and training augmentation. Sine regression has K support and Q query points instead.
import { usePlayground } from '../../state/context';
import { NumberField } from './Field';

export function SamplerControls({ disabled }: { disabled: boolean }) {
  const setup = usePlayground((s) => s.setup);
  const problems = usePlayground((s) => s.problems);
  const setSetup = usePlayground((s) => s.setSetup);

  if (setup.dataset === 'sinusoid') {
    return (
      <fieldset className="panel__group">
        <legend>Tasks</legend>
        <NumberField label="Shots (K)" value={setup.shot} min={1} onChange={(shot) => setSetup({ shot })} error={problems.shot} disabled={disabled}
          hint="Support points per task the model adapts to (paper: 5, 10 or 20)." />
        <NumberField label="Queries per class" value={setup.query} min={1} onChange={(query) => setSetup({ query })} error={problems.query} disabled={disabled}
          hint="Query points per test task on which the error (MSE) is measured." />
      </fieldset>
    );
  }
  const split = setup.split;
  return (
    <fieldset className="panel__group">
      <legend>Sampler</legend>
      <div className="field-row">
        <NumberField label="Ways (N)" value={setup.way} min={2} onChange={(way) => setSetup({ way })} error={problems.way} disabled={disabled}
          hint="Classes per test episode." />
        <NumberField label="Shots (K)" value={setup.shot} min={1} onChange={(shot) => setSetup({ shot })} error={problems.shot} disabled={disabled}
          hint="Labelled examples per class." />
        <NumberField label="Queries per class" value={setup.query} min={1} onChange={(query) => setSetup({ query })} error={problems.query} disabled={disabled}
          hint="Images per class to classify." />
      </div>
      <NumberField label="Training ways" value={setup.trainWay} min={2} onChange={(trainWay) => setSetup({ trainWay })} error={problems.trainWay} disabled={disabled}
        hint="Classes per training episode (ProtoNet trains better with more ways than it tests, e.g. 20)." />
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
      <div className="field-row">
        <NumberField label="Random shift (pixels)" value={setup.augmentShift} min={0} max={8} onChange={(augmentShift) => setSetup({ augmentShift })}
          error={problems.augment} disabled={disabled} hint="Training augmentation: shift images by up to this many pixels." />
        <div className="field field--check">
          <label>
            <input type="checkbox" checked={setup.augmentFlip} disabled={disabled} onChange={(e) => setSetup({ augmentFlip: e.target.checked })} /> Random horizontal flips
          </label>
        </div>
      </div>
    </fieldset>
  );
}
