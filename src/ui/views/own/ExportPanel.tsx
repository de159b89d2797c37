// Step 5: exporting the fitted classifier as a TensorFlow.js model (model.json and one weight file,
// downloaded and also kept in this browser), so it can be imported again here (Import model, step 2)
// or loaded by any TensorFlow.js program. The input scaling and class names travel in model.json.
import { useState } from 'react';
import { useOwnImages } from '../../state/ownImagesContext';
import { InlineField } from './InlineField';
import { downloadFile } from '../../download';

export function ExportPanel() {
  const exportModel = useOwnImages((s) => s.exportModel);
  const classifier = useOwnImages((s) => s.classifier);
  const datasetName = useOwnImages((s) => s.datasets.find((d) => d.id === s.datasetId)?.name);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const ready = classifier.status === 'done' && !!classifier.result;
  const fileBase = (name.trim() || `${datasetName ?? 'few-shot'}-classifier`).replace(/[^\w.-]+/g, '-');

  const run = async () => {
    setBusy(true);
    try {
      const files = await exportModel(name.trim() || `${datasetName ?? 'few-shot'} classifier`);
      if (!files) return;
      downloadFile(`${fileBase}.json`, JSON.stringify(files.modelJson), 'application/json');
      for (const weight of files.weights) downloadFile(weight.path.split('/').pop()!, weight.bytes, 'application/octet-stream');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel own-export" aria-labelledby="own-export-title">
      <h2 id="own-export-title">5. Export</h2>
      <div className="button-row">
        <InlineField label="Model name">
          {(id) => (
            <input id={id} value={name} placeholder={`${datasetName ?? 'few-shot'} classifier`} onChange={(e) => setName(e.target.value)} />
          )}
        </InlineField>
        <button type="button" onClick={() => void run()} disabled={!ready || busy}>
          Export model
        </button>
      </div>
      <p className="muted">
        {ready
          ? 'Downloads model.json and its weight file (TensorFlow.js layers format; class names and input scaling in its metadata) and keeps a copy in this browser.'
          : 'Adapt to your classes first (step 3): the exported model is that classifier.'}
      </p>
    </section>
  );
}
