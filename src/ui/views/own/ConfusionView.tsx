// Where the classifier goes wrong on the user's own images, from the accuracy estimate: each class's
// accuracy, the confusion matrix (rows: true class, columns: predicted), a cell's images on click
// (with their true and predicted class and calibrated confidence), and every mistake, the most
// confident first (those are often mislabelled or unusual images worth a look). Cells are buttons,
// so the matrix works from the keyboard; the table has row and column headers.
import { useMemo, useState } from 'react';
import { cellImages, confusionMatrix, mistakes, perClassAccuracy, type ScoredImage } from '../../../core/features/confusion';
import type { AccuracyEstimate } from '../../../worker/ownImagesProtocol';
import type { OwnDatasetRecord, OwnImageRecord } from '../../userData/ownDataset';
import { Thumbnail } from './Thumbnail';

const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

function useImagesByKey(dataset: OwnDatasetRecord | null): Map<string, OwnImageRecord> {
  return useMemo(() => new Map((dataset?.classes ?? []).flatMap((c) => c.images.map((i) => [i.id, i] as const))), [dataset]);
}

export function ConfusionView({ estimate, dataset }: { estimate: AccuracyEstimate; dataset: OwnDatasetRecord | null }) {
  const { classes, perImage } = estimate;
  const images = useImagesByKey(dataset);
  const scored: ScoredImage[] = useMemo(() => perImage.map((p) => ({ key: p.key, trueLabel: p.label, probabilities: p.probabilities })), [perImage]);
  const matrix = useMemo(() => confusionMatrix(perImage.map((p) => p.label), perImage.map((p) => p.predicted), classes.length), [perImage, classes.length]);
  const perClass = perClassAccuracy(matrix);
  const wrong = useMemo(() => mistakes(scored), [scored]);
  const [cell, setCell] = useState<{ t: number; p: number } | null>(null);
  if (perImage.length === 0) return null;
  const episodes = estimate.protocol.kind === 'episodes';
  const selected = cell && cell.t < classes.length && cell.p < classes.length ? cellImages(scored, cell.t, cell.p) : null;

  return (
    <div className="own-confusion">
      <h4>Per class, and what each class is taken for</h4>
      {episodes && (
        <p className="muted">
          Each image counts once, by its average prediction over the episodes it was a query in ({perImage.length} of your images were).
        </p>
      )}
      <div className="own-confusion__scroll">
        <table className="own-confusion__matrix">
          <caption className="sr-only">Confusion matrix: rows are the true classes, columns the predicted classes; each cell is a button that lists its images.</caption>
          <thead>
            <tr>
              <th scope="col">True class ↓ / predicted →</th>
              {classes.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
              <th scope="col">Accuracy</th>
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, t) => (
              <tr key={classes[t]}>
                <th scope="row">{classes[t]}</th>
                {row.map((count, p) => {
                  const pressed = cell?.t === t && cell?.p === p;
                  const kind = count === 0 ? 'empty' : t === p ? 'right' : 'wrong';
                  return (
                    <td key={p} className={`own-confusion__cell own-confusion__cell--${kind}`}>
                      <button
                        type="button"
                        aria-pressed={pressed}
                        disabled={count === 0}
                        aria-label={`${count} image${count === 1 ? '' : 's'} of ${classes[t]} predicted as ${classes[p]}`}
                        onClick={() => setCell(pressed ? null : { t, p })}
                      >
                        {count}
                      </button>
                    </td>
                  );
                })}
                <td className="own-confusion__accuracy">
                  {perClass[t].total === 0 ? 'no images' : `${pct(perClass[t].accuracy)} (${perClass[t].correct} of ${perClass[t].total})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected && cell && (
        <section className="own-confusion__cell-images" aria-label={`Images of ${classes[cell.t]} predicted as ${classes[cell.p]}`}>
          <h5>
            {classes[cell.t]} predicted as {classes[cell.p]}: {selected.length} image{selected.length === 1 ? '' : 's'}, the most confident first
          </h5>
          <ImageList items={selected.map((s) => ({ key: s.key, trueLabel: cell.t, predicted: cell.p, confidence: s.confidence }))} images={images} classes={classes} />
        </section>
      )}
      {wrong.length === 0 ? (
        <p>Every image was classified right.</p>
      ) : (
        <details className="own-confusion__mistakes">
          <summary>
            {wrong.length} of {perImage.length} images classified wrong, the most confident mistakes first
          </summary>
          <ImageList items={wrong.map((m) => ({ key: m.key, trueLabel: m.trueLabel, predicted: m.predicted, confidence: m.confidence }))} images={images} classes={classes} />
        </details>
      )}
    </div>
  );
}

interface Listed {
  key: string;
  trueLabel: number;
  predicted: number;
  confidence: number;
}

function ImageList({ items, images, classes }: { items: Listed[]; images: Map<string, OwnImageRecord>; classes: string[] }) {
  return (
    <ul className="own-image-list">
      {items.map((item) => {
        const image = images.get(item.key);
        const name = image?.name ?? item.key;
        const right = item.trueLabel === item.predicted;
        return (
          <li key={item.key} className="own-image-list__item">
            {image ? <Thumbnail bytes={image.bytes} type={image.type} alt="" size={56} /> : <span className="thumbnail" />}
            <span>
              <strong className="own-image-list__name">{name}</strong>
              <br />
              {right ? (
                <>
                  {classes[item.trueLabel]}, right at {pct(item.confidence)}
                </>
              ) : (
                <>
                  true: {classes[item.trueLabel]}; predicted: {classes[item.predicted]} at {pct(item.confidence)}
                </>
              )}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
