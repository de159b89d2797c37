// Choosing the backbone that turns the user's images into features: a pretrained MobileNet
// (downloaded only when asked, with its size and progress, then kept in the browser), any
// TensorFlow.js model imported from disk (model.json and its weight files) with a choice of feature
// layer and input scaling, a classifier exported earlier, or a run trained in the playground. The
// recommended feature layer is listed first and marked; the scaling in use says where it came from.
import { formatBytes } from '../../datasets/omniglotArchive';
import { useOwnImages } from '../../state/ownImagesContext';
import { InlineField } from './InlineField';
import type { BackboneChoice } from '../../state/ownImagesStore';
import { approximateSize, PRETRAINED_MODELS } from '../../models/pretrainedModels';
import type { InputRange } from '../../../worker/ownImagesProtocol';
import { filesFromFileList } from '../../userData/dropFiles';
import { ConfirmButton } from './ConfirmButton';

const RANGES: Array<{ value: InputRange; label: string }> = [
  { value: '0,1', label: '0 to 1 (TF Hub models)' },
  { value: '-1,1', label: '-1 to 1 (Keras MobileNet, Inception)' },
  { value: '0,255', label: '0 to 255' },
];

const RANGE_SOURCE: Record<string, string> = {
  publisher: 'as its publisher documents',
  metadata: 'as saved with this exported classifier',
  chosen: 'chosen',
  guessed: 'guessed from the layer names; it is checked on your images when you adapt or estimate',
};

function choiceKey(choice: BackboneChoice | null): string {
  if (!choice) return '';
  return choice.kind === 'run' ? `run:${choice.runId}` : `${choice.kind}:${choice.id}`;
}

function choiceOf(key: string): BackboneChoice | null {
  const [kind, ...rest] = key.split(':');
  const id = rest.join(':');
  if (kind === 'run') return { kind: 'run', runId: id };
  if (kind === 'pretrained' || kind === 'stored') return { kind, id };
  return null;
}

export function BackbonePanel() {
  const backbone = useOwnImages((s) => s.backbone);
  const models = useOwnImages((s) => s.models);
  const chooseBackbone = useOwnImages((s) => s.chooseBackbone);
  const cancelDownload = useOwnImages((s) => s.cancelDownload);
  const setFeatureLayer = useOwnImages((s) => s.setFeatureLayer);
  const setInputRange = useOwnImages((s) => s.setInputRange);
  const importModel = useOwnImages((s) => s.importModel);
  const deleteModel = useOwnImages((s) => s.deleteModel);
  const runs = useOwnImages((s) => s.trainedRuns);
  const working = backbone.status === 'downloading' || backbone.status === 'loading';
  const summary = backbone.status === 'ready' ? backbone.summary : undefined;
  const storedModels = models.filter((m) => !PRETRAINED_MODELS.some((p) => p.id === m.id));
  const choice = backbone.choice;
  const chosenStored = choice?.kind === 'stored' ? models.find((m) => m.id === choice.id) : undefined;

  return (
    <section className="panel own-backbone" aria-labelledby="own-backbone-title">
      <h2 id="own-backbone-title">2. Feature network</h2>
      <p className="muted">The network that turns each image into features; your few examples are classified on those features.</p>
      <div className="field">
        <label htmlFor="own-backbone">Backbone</label>
        <select
          id="own-backbone"
          value={choiceKey(backbone.choice)}
          disabled={working}
          aria-describedby="own-backbone-hint"
          onChange={(e) => {
            const choice = choiceOf(e.target.value);
            if (choice) void chooseBackbone(choice);
          }}
        >
          <option value="">Choose one…</option>
          <optgroup label="Pretrained (downloaded when chosen)">
            {PRETRAINED_MODELS.map((m) => {
              const cached = models.some((s) => s.id === m.id);
              return (
                <option key={m.id} value={`pretrained:${m.id}`}>
                  {m.name}
                  {m.recommended ? ', recommended' : ''} — ImageNet {Math.round(1000 * m.imagenetTop1) / 10}% {cached ? '(in this browser)' : `(download, ${approximateSize(m)})`}
                </option>
              );
            })}
          </optgroup>
          {storedModels.length > 0 && (
            <optgroup label="Imported and exported models (in this browser)">
              {storedModels.map((m) => (
                <option key={m.id} value={`stored:${m.id}`}>
                  {m.name} ({m.origin === 'exported' ? 'exported classifier' : 'from disk'}, {formatBytes(m.bytes)})
                </option>
              ))}
            </optgroup>
          )}
          <optgroup label="Trained in the playground">
            {runs.length === 0 ? (
              <option value="" disabled>
                (train a run on the Playground tab first)
              </option>
            ) : (
              runs.map((r) => (
                <option key={r.id} value={`run:${r.id}`}>
                  {r.name} — {r.datasetLabel}
                  {r.live ? '' : ' (kept from an earlier visit)'}
                </option>
              ))
            )}
          </optgroup>
        </select>
        <p id="own-backbone-hint" className="field__hint">
          Nothing is downloaded unless you choose a pretrained model; it is then kept in this browser and works offline.
        </p>
      </div>

      {backbone.status === 'downloading' && backbone.progress && (
        <div className="run-progress">
          <label className="run-progress__label">
            Downloading {formatBytes(backbone.progress.done)} of {formatBytes(backbone.progress.total)}
            <progress max={backbone.progress.total || 1} value={backbone.progress.done} />
          </label>
          <button type="button" onClick={cancelDownload}>
            Cancel download
          </button>
        </div>
      )}
      {backbone.status === 'loading' && (
        <p role="status" className="muted">
          Loading the backbone in the compute worker…
        </p>
      )}
      {backbone.message && (
        <p className="field__error" role="alert">
          {backbone.message}
        </p>
      )}

      {summary && (
        <div className="own-backbone__summary" aria-live="polite">
          <p>
            <strong>{summary.name}</strong>: input {summary.inputShape.join('×')}, {summary.parameters.toLocaleString('en-US')} parameters
            {summary.featureSize !== null ? `; ${summary.featureSize} features per image (${summary.featureNote})` : `; ${summary.featureNote}`}.
          </p>
          {summary.classifier && (
            <p>
              This is a classifier exported from Few-Shot Lab for {summary.classifier.classes.join(', ')}: it classifies new images at once (step 4), no
              fitting needed.
            </p>
          )}
          {summary.layers.length > 0 && (
            <InlineField label="Feature layer">
              {(id) => (
                <select id={id} value={summary.featureLayer ?? ''} onChange={(e) => void setFeatureLayer(e.target.value)}>
                  {layersRecommendedFirst(summary.layers, summary.recommendedLayer).map((l) => (
                    <option key={l.name} value={l.name}>
                      {l.name === summary.recommendedLayer ? '★ recommended: ' : ''}
                      {l.name} ({l.className}
                      {l.outputShape ? `, ${l.outputShape.join('×')}` : ''})
                    </option>
                  ))}
                </select>
              )}
            </InlineField>
          )}
          {summary.kind !== 'run' && (
            <p className="muted">
              Pixels scaled {RANGES.find((r) => r.value === summary.inputRange)?.label.replace(/ \(.*\)$/, '')},{' '}
              {backbone.rangeComparison ? 'the better of both on your images (step 3)' : (RANGE_SOURCE[summary.inputRangeSource] ?? '')}.
            </p>
          )}
          {summary.kind !== 'run' && (
            <InlineField label="Input pixels scaled to">
              {(id) => (
                <select id={id} value={summary.inputRange} onChange={(e) => void setInputRange(e.target.value as InputRange)}>
                  {RANGES.map((r) => (
                    <option key={r.value} value={r.value}>
                      {r.label}
                    </option>
                  ))}
                </select>
              )}
            </InlineField>
          )}
        </div>
      )}

      <div className="button-row own-backbone__import">
        <label className={`file-button${working ? ' file-button--disabled' : ''}`}>
          Import model
          <input
            type="file"
            multiple
            accept=".json,.bin,application/json,application/octet-stream"
            disabled={working}
            onChange={(e) => {
              const files = filesFromFileList(e.target.files ?? []);
              e.target.value = '';
              void importModel(files);
            }}
          />
        </label>
        <span className="muted">a TensorFlow.js model: pick its model.json together with its .bin weight files</span>
        {chosenStored && chosenStored.origin !== 'pretrained' && (
          <ConfirmButton
            label={`Delete model ${chosenStored.name}`}
            text="Delete model"
            question={`Delete ${chosenStored.name} from this browser?`}
            onConfirm={() => void deleteModel(chosenStored.id)}
          />
        )}
      </div>
    </section>
  );
}

/** The recommended layer first (it is the one to try first), then the rest in model order. */
function layersRecommendedFirst<T extends { name: string }>(layers: T[], recommended: string | null): T[] {
  const first = layers.find((l) => l.name === recommended);
  return first ? [first, ...layers.filter((l) => l !== first)] : layers;
}
