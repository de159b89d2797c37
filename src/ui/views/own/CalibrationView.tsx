// How far the classifier's stated confidence can be trusted, next to its accuracy: the expected
// calibration error before and after calibration (cross-fitted, so "after" is not scored on what
// it was fitted on), the temperature, how many of the user's images it comes from, and a small
// reliability diagram (accuracy against confidence per bin; the diagonal is perfect calibration).
// The diagram is an image with a text alternative; the same numbers are in a table for screen readers.
import type { CalibrationSummary } from '../../../worker/ownImagesProtocol';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** "calibrated on 75 held-out predictions of your 75 images (leave-one-out)". */
export function calibrationSource(c: CalibrationSummary): string {
  const predictions = c.predictions === c.images ? `${c.images} of your images` : `${c.predictions} held-out predictions of your ${c.images} images`;
  return `${predictions} (${c.heldOutBy}, each scored by a classifier that never saw it)`;
}

/** One sentence about the probabilities a classifier gives, for the fitted classifier and the bars. */
export function calibrationSentence(c: CalibrationSummary): string {
  if (!c.calibrated) return c.reason ?? 'Not calibrated: the probabilities are the classifier’s raw scores.';
  const direction = c.temperature > 1.05 ? 'softened' : c.temperature < 0.95 ? 'sharpened' : 'kept';
  const capped = c.capped
    ? ` Every held-out prediction was right, which alone would make every answer “100%”; the confidence is held at what ${c.predictions} right of ${c.predictions} supports, (n + 1) / (n + 2) = ${((100 * (c.predictions + 1)) / (c.predictions + 2)).toFixed(0)}% on average.`
    : '';
  return `Probabilities calibrated on ${calibrationSource(c)}: scores ${direction} by temperature ${c.temperature.toFixed(2)}.${capped}`;
}

export function CalibrationView({ calibration }: { calibration: CalibrationSummary }) {
  const c = calibration;
  if (c.predictions === 0) return null;
  return (
    <div className="own-calibration">
      <p className="own-calibration__line">
        {c.calibrated ? (
          <>
            Calibration: expected calibration error <strong>{pct(c.eceBefore)}</strong> raw → <strong>{pct(c.eceAfter)}</strong> calibrated (temperature{' '}
            {c.temperature.toFixed(2)}, fitted on {calibrationSource(c)}).
          </>
        ) : (
          <>
            Calibration error {pct(c.eceBefore)} (raw scores). {c.reason}
          </>
        )}
      </p>
      <p className="muted">
        The error is the average gap between how sure the classifier says it is and how often it is right. “Calibrated” is measured honestly: each fifth of
        your images is scored with a temperature fitted on the other four fifths. With few images both numbers are rough.
      </p>
      <ReliabilityDiagram calibration={c} />
    </div>
  );
}

const SIZE = 160;
const PAD = 22;

/** Accuracy per confidence bin: raw (outlined) and calibrated (filled); the dashed diagonal is perfect calibration. */
function ReliabilityDiagram({ calibration: c }: { calibration: CalibrationSummary }) {
  const bins = c.binsBefore.length;
  if (bins === 0) return null;
  const w = SIZE / bins;
  const x = (v: number) => PAD + v * SIZE;
  const y = (v: number) => PAD + SIZE - v * SIZE;
  const bars = (which: CalibrationSummary['binsBefore'], className: string, inset: number) =>
    which.map((b, i) =>
      b.count > 0 ? <rect key={`${className}-${i}`} className={className} x={x(b.lower) + inset} y={y(b.accuracy)} width={Math.max(1, w - 2 * inset)} height={b.accuracy * SIZE} /> : null,
    );
  const described = `Reliability diagram: ${c.binsAfter
    .filter((b) => b.count > 0)
    .map((b) => `${b.count} prediction${b.count === 1 ? '' : 's'} ${c.calibrated ? 'calibrated ' : ''}at ${pct(b.confidence)} confidence were right ${pct(b.accuracy)} of the time`)
    .join('; ')}.`;
  return (
    <figure className="own-reliability">
      <svg role="img" aria-label={described} width={SIZE + PAD + 8} height={SIZE + 2 * PAD} viewBox={`0 0 ${SIZE + PAD + 8} ${SIZE + 2 * PAD}`}>
        <rect className="own-reliability__frame" x={PAD} y={PAD} width={SIZE} height={SIZE} />
        {bars(c.binsBefore, 'own-reliability__raw', 0)}
        {c.calibrated && bars(c.binsAfter, 'own-reliability__calibrated', w * 0.25)}
        <line className="own-reliability__diagonal" x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} />
        <text x={PAD} y={SIZE + PAD + 14} className="own-reliability__tick">
          0
        </text>
        <text x={PAD + SIZE} y={SIZE + PAD + 14} textAnchor="end" className="own-reliability__tick">
          100% confident
        </text>
        <text x={PAD - 4} y={PAD + 8} textAnchor="end" className="own-reliability__tick">
          1
        </text>
      </svg>
      <figcaption className="muted">
        Right answers (height) per confidence bin: <span className="own-reliability__key own-reliability__key--raw" aria-hidden="true" /> raw
        {c.calibrated && (
          <>
            , <span className="own-reliability__key own-reliability__key--calibrated" aria-hidden="true" /> calibrated
          </>
        )}
        ; on the dashed line confidence matches accuracy.
      </figcaption>
    </figure>
  );
}
