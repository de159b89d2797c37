// The episode viewer: one test episode run through the current model, showing the support set per
// class, every query with its predicted class and whether it was right (✓/✗ in text, not colour
// alone), the episode's accuracy and, when the method provides them, the embedding scatter (PCA) or
// the query accuracy after each inner step. Presentational: props in, "New episode" out.
import { useId, useMemo } from 'react';
import type { EpisodeInspection } from '../../../worker/protocol';
import { formatPercent } from '../charts/format';
import { ClassMarker, classColor } from './classMarker';
import { pixelsToDataUrl } from './pixels';
import { ProjectionScatter } from './ProjectionScatter';
import { StepAccuracyChart } from './StepAccuracyChart';
import './episode.css';

export interface EpisodeViewerProps {
  inspection: EpisodeInspection | null;
  loading: boolean;
  error?: string;
  onNewEpisode(): void;
  /** The method's name as the UI shows it, e.g. "ProtoNet". */
  method: string;
  /** Width of the step chart in CSS pixels; measured when absent. */
  width?: number;
}

/** CSS pixels an image is shown at: small images scaled up by a whole factor (crisp), large ones as they are. */
function displaySize(height: number, width: number): { width: number; height: number } {
  const scale = Math.max(1, Math.floor(64 / Math.max(height, width)));
  return { width: width * scale, height: height * scale };
}

function probabilityText(p: number | undefined): string {
  return p === undefined || !Number.isFinite(p) ? '?' : `${Math.round(100 * p)}%`;
}

/** "query 3: predicted Glyph 17 (82%), true Glyph 17, right" */
export function queryLabel(inspection: EpisodeInspection, i: number): string {
  const { queries } = inspection;
  const name = (k: number) => inspection.classNames[k] ?? `class ${k + 1}`;
  const predicted = queries.predicted[i];
  const right = predicted === queries.labels[i];
  return `query ${i + 1}: predicted ${name(predicted)} (${probabilityText(queries.probabilities[i]?.[predicted])}), true ${name(queries.labels[i])}, ${right ? 'right' : 'wrong'}`;
}

export function EpisodeViewer({ inspection, loading, error, onNewEpisode, method, width }: EpisodeViewerProps) {
  const id = useId();
  const images = useMemo(() => {
    if (!inspection) return null;
    const shape = inspection.imageShape;
    return {
      support: inspection.support.pixels.map((p) => pixelsToDataUrl(p, shape)),
      queries: inspection.queries.pixels.map((p) => pixelsToDataUrl(p, shape)),
    };
  }, [inspection]);

  return (
    <section className="episode-viewer" aria-labelledby={`${id}-heading`} aria-busy={loading}>
      <div className="episode-viewer__header">
        <h3 id={`${id}-heading`} className="episode-viewer__heading">
          Test episode
        </h3>
        <button type="button" className="episode-viewer__button" onClick={() => onNewEpisode()} disabled={loading}>
          New episode
        </button>
      </div>

      {loading && (
        <p className="episode-viewer__status" role="status">
          Loading episode…
        </p>
      )}
      {error && (
        <p className="episode-viewer__error" role="alert">
          Could not show an episode: {error}
        </p>
      )}
      {!inspection && !loading && !error && (
        <p className="episode-viewer__empty">No episode yet. Press “New episode” to run one through the model.</p>
      )}

      {inspection && images && (
        <EpisodeBody inspection={inspection} images={images} method={method} stale={loading} width={width} headingId={id} />
      )}
    </section>
  );
}

function EpisodeBody(props: {
  inspection: EpisodeInspection;
  images: { support: string[]; queries: string[] };
  method: string;
  stale: boolean;
  width?: number;
  headingId: string;
}) {
  const { inspection, images, method, stale, width, headingId } = props;
  const { way, shot, query, seed, imageShape, classNames, support, queries } = inspection;
  const name = (k: number) => classNames[k] ?? `class ${k + 1}`;
  const size = displaySize(imageShape[0], imageShape[1]);
  const total = queries.labels.length;
  const right = queries.labels.filter((label, i) => queries.predicted[i] === label).length;
  // Support images by class, in episode-label order, each numbered within its class.
  const byClass = Array.from({ length: way }, () => [] as number[]);
  support.labels.forEach((label, i) => byClass[label]?.push(i));

  return (
    <div className={`episode-viewer__body${stale ? ' episode-viewer__body--stale' : ''}`}>
      <p className="episode-viewer__meta">
        {way}-way {shot}-shot, {query} {query === 1 ? 'query' : 'queries'} per class, episode seed {seed}, method {method}.
      </p>
      <p className="episode-viewer__accuracy">
        Episode accuracy: <strong>{formatPercent(total ? right / total : inspection.accuracy)}</strong> ({right} of {total}{' '}
        queries right). <span className="episode-viewer__muted">One episode varies a lot; evaluate many episodes for a mean with its 95% interval.</span>
      </p>

      <h4 className="episode-viewer__subheading" id={`${headingId}-support`}>
        Support set
      </h4>
      <div className="episode-viewer__support" aria-labelledby={`${headingId}-support`} role="group">
        {byClass.map((indices, k) => (
          <section key={k} className="episode-viewer__class" aria-labelledby={`${headingId}-class-${k}`}>
            <h5 className="episode-viewer__class-name" id={`${headingId}-class-${k}`}>
              <ClassMarker label={k} /> {name(k)}
            </h5>
            <div className="episode-viewer__grid">
              {indices.map((i, n) => (
                <img
                  key={i}
                  className="episode-viewer__image"
                  src={images.support[i]}
                  width={size.width}
                  height={size.height}
                  alt={`support image ${n + 1} of class '${name(k)}'`}
                  style={{ borderColor: classColor(k) }}
                />
              ))}
            </div>
          </section>
        ))}
      </div>

      <h4 className="episode-viewer__subheading" id={`${headingId}-queries`}>
        Queries
      </h4>
      <ol className="episode-viewer__queries" aria-labelledby={`${headingId}-queries`}>
        {queries.labels.map((label, i) => {
          const predicted = queries.predicted[i];
          const ok = predicted === label;
          return (
            <li key={i} className={`episode-viewer__query episode-viewer__query--${ok ? 'right' : 'wrong'}`}>
              <img
                className="episode-viewer__image"
                src={images.queries[i]}
                width={size.width}
                height={size.height}
                alt={queryLabel(inspection, i)}
              />
              {/* The image's alt text says all of this; the caption is for sighted users: the classes
                  by their markers from the support set (names like "alphabet23/char13" broke mid-word
                  in a caption this narrow), the full words on hover. */}
              <span className="episode-viewer__verdict" aria-hidden="true" title={queryLabel(inspection, i)}>
                <span className="episode-viewer__icon">{ok ? '✓' : '✗'}</span> <ClassMarker label={predicted} />{' '}
                {probabilityText(queries.probabilities[i]?.[predicted])}
                {!ok && (
                  <span className="episode-viewer__truth">
                    true <ClassMarker label={label} />
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ol>

      {inspection.projection && (
        <ProjectionScatter
          projection={inspection.projection}
          queryLabels={queries.labels}
          predicted={queries.predicted}
          classNames={classNames}
        />
      )}
      {inspection.accuracyByStep && inspection.accuracyByStep.length > 0 && (
        <StepAccuracyChart accuracyByStep={inspection.accuracyByStep} width={width} />
      )}
    </div>
  );
}
