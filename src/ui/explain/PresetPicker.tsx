// Guided presets for teaching: a labelled "Guided preset" select and an Apply button. Applying hands
// the preset to `onApply` (the caller sets up the first run, e.g. with presetSetup) and shows, in a
// note, what to look at and which runs to train next; with `onApplyVariant` each of those runs gets
// a button that sets it up. The presets and their texts live in presets.ts.
import { useState } from 'react';
import { SelectField } from '../views/controls/Field';
import { describeVariant, GUIDED_PRESETS, presetSetup, type GuidedPreset } from './presets';
import './explain.css';

export interface PresetPickerProps {
  onApply: (preset: GuidedPreset) => void;
  /** Sets up comparison run `index` (0-based into preset.compare); without it the runs are only listed. */
  onApplyVariant?: (preset: GuidedPreset, index: number) => void;
  presets?: GuidedPreset[];
  disabled?: boolean;
}

export function PresetPicker({ onApply, onApplyVariant, presets = GUIDED_PRESETS, disabled = false }: PresetPickerProps) {
  const [selectedId, setSelectedId] = useState(presets[0]?.id ?? '');
  const [applied, setApplied] = useState<GuidedPreset | null>(null);
  const selected = presets.find((p) => p.id === selectedId) ?? presets[0];
  if (!selected) return null;

  return (
    <div className="explain-presets">
      <SelectField
        label="Guided preset"
        value={selected.id}
        options={presets.map((p) => ({ value: p.id, label: p.title }))}
        onChange={setSelectedId}
        hint={selected.summary}
        disabled={disabled}
      />
      <button
        type="button"
        disabled={disabled}
        onClick={() => {
          setApplied(selected);
          onApply(selected);
        }}
      >
        Apply
      </button>
      <div aria-live="polite">
        {applied && (
          <div role="note" aria-label={`What to look at: ${applied.title}`} className="explain__note">
            <p className="explain__note-title">What to look at: {applied.title}</p>
            <p>{applied.lookAt}</p>
            {applied.compare && applied.compare.length > 0 && (
              <>
                <p>After the first run, train (with the same seed):</p>
                <ol className="explain__runs">
                  {applied.compare.map((variant, i) => {
                    const label = describeVariant(variant, presetSetup(applied));
                    return (
                      <li key={i}>
                        {onApplyVariant ? (
                          <button type="button" className="link" disabled={disabled} onClick={() => onApplyVariant(applied, i)}>
                            Set up run {i + 2}: {label}
                          </button>
                        ) : (
                          <>Run {i + 2}: {label}</>
                        )}
                      </li>
                    );
                  })}
                </ol>
              </>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
