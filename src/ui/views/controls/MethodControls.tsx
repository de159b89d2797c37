// The Method control and the chosen method's hyperparameters: the papers' defaults (adjusted where
// the catalog says why), each labelled in words with a one-line hint; a changed value is marked
// (" *") and can be reset.
import { usePlayground } from '../../state/context';
import { useHidden } from '../hiddenControls';
import { methodInfo, methodsFor } from '../../state/setup';
import { NumberField, SelectField } from './Field';

export function MethodControls({ disabled }: { disabled: boolean }) {
  const setup = usePlayground((s) => s.setup);
  const problems = usePlayground((s) => s.problems);
  const setSetup = usePlayground((s) => s.setSetup);
  const setHyperparameter = usePlayground((s) => s.setHyperparameter);
  const reset = usePlayground((s) => s.resetHyperparameters);
  const methods = methodsFor(setup.dataset);
  const info = methodInfo(setup.dataset, setup.method);
  const changed = Object.keys(setup.hyperparameters).length > 0;
  const hideHyperparameters = useHidden('hyperparameters');

  return (
    <fieldset className="panel__group">
      <legend>Method</legend>
      <SelectField
        label="Method"
        value={setup.method}
        options={methods.map((m) => ({ value: m.name, label: m.title }))}
        onChange={(method) => setSetup({ method })}
        hint={info ? `${info.paper}.` : undefined}
        error={problems.method}
        disabled={disabled}
      />
      {info && !hideHyperparameters && (
        <details className="hyperparameters" open>
          <summary>
            Hyperparameters{changed ? ' (changed)' : ' (defaults)'}
          </summary>
          {Object.entries(info.hyperparameters).map(([name, h]) => {
            const value = setup.hyperparameters[name] ?? info.defaults[name];
            const error = problems[`hyper.${name}`];
            // The label is words; the code name, which links and the CLI use, is only in the hint.
            const label = `${h.label}${name in setup.hyperparameters ? ' *' : ''}`;
            const hint = `${h.hint} (${name} in links and the CLI)`;
            return h.choices ? (
              <SelectField key={name} label={label} value={String(value)} options={h.choices.map((c) => ({ value: c, label: h.choiceLabels?.[c] ?? c }))}
                onChange={(v) => setHyperparameter(name, v)} hint={hint} error={error} disabled={disabled} />
            ) : (
              <NumberField key={name} label={label} value={Number(value)} min={h.min} max={h.max} step="any"
                onChange={(v) => setHyperparameter(name, v)} hint={hint} error={error} disabled={disabled} />
            );
          })}
          {changed && (
            <button type="button" onClick={reset} disabled={disabled}>
              Reset to defaults
            </button>
          )}
        </details>
      )}
    </fieldset>
  );
}
