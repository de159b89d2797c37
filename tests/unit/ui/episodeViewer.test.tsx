// @vitest-environment jsdom
// EpisodeViewer: support images per class, queries marked right/wrong consistently with the
// predictions, the accuracy text, the PCA scatter and the step chart when present, loading and
// error states, and the "New episode" callback.
import { afterEach, beforeEach, describe, it, expect, vi, type MockInstance } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { EpisodeViewer } from '../../../src/ui/views/episode/EpisodeViewer';
import type { EpisodeInspection } from '../../../src/worker/protocol';

const WAY = 3;
const SHOT = 2;
const QUERY = 2;
const SIDE = 8;

function image(seed: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(SIDE * SIDE);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + seed * 101) % 256;
  return px;
}

/** A 3-way 2-shot episode with 2 queries per class; queries 2 and 5 are wrong. */
function inspection(extra: Partial<EpisodeInspection> = {}): EpisodeInspection {
  const supportLabels = [0, 0, 1, 1, 2, 2];
  const queryLabels = [0, 0, 1, 1, 2, 2];
  const predicted = [0, 2, 1, 1, 0, 2];
  const probabilities = predicted.map((p) => {
    const row = [0.09, 0.09, 0.09];
    row[p] = 0.82;
    return row;
  });
  return {
    runId: 'run-7',
    seed: 4242,
    way: WAY,
    shot: SHOT,
    query: QUERY,
    imageShape: [SIDE, SIDE, 1],
    classNames: ['Glyph 17', 'Glyph 3', 'Glyph 42'],
    support: { pixels: supportLabels.map((_, i) => image(i)), labels: supportLabels },
    queries: { pixels: queryLabels.map((_, i) => image(100 + i)), labels: queryLabels, predicted, probabilities },
    accuracy: 4 / 6,
    ...extra,
  };
}

const projection: NonNullable<EpisodeInspection['projection']> = {
  queries: [
    [-2.1, 0.4],
    [-1.8, 0.9],
    [0.3, -1.5],
    [0.6, -1.2],
    [2.2, 0.8],
    [1.9, 1.1],
  ],
  prototypes: [
    [-2.0, 0.6],
    [0.4, -1.3],
    [2.0, 1.0],
  ],
  explainedVariance: [0.421, 0.183],
};

describe('EpisodeViewer', () => {
  let consoleErrors: MockInstance;
  beforeEach(() => {
    consoleErrors = vi.spyOn(console, 'error');
  });
  afterEach(() => {
    expect(consoleErrors).not.toHaveBeenCalled();
    consoleErrors.mockRestore();
  });

  it('shows way*shot support images grouped by class, with alt text and pixelated data URLs', () => {
    render(<EpisodeViewer inspection={inspection()} loading={false} onNewEpisode={() => {}} method="ProtoNet" />);
    const support = screen.getAllByRole('img', { name: /^support image/ });
    expect(support).toHaveLength(WAY * SHOT);
    const glyph3 = screen.getByRole('region', { name: 'Glyph 3' });
    expect(within(glyph3).getByRole('heading', { name: 'Glyph 3' })).toBeInTheDocument();
    expect(within(glyph3).getAllByRole('img').map((img) => img.getAttribute('alt'))).toEqual([
      "support image 1 of class 'Glyph 3'",
      "support image 2 of class 'Glyph 3'",
    ]);
    const img = support[0] as HTMLImageElement;
    expect(img.src).toMatch(/^data:image\/bmp;base64,Qk/);
    // 8x8 images are scaled up by a whole factor.
    expect(img).toHaveAttribute('width', '64');
    expect(img).toHaveClass('episode-viewer__image');
  });

  it('marks way*query queries right or wrong consistently with predicted vs true labels', () => {
    const data = inspection();
    render(<EpisodeViewer inspection={data} loading={false} onNewEpisode={() => {}} method="ProtoNet" />);
    const queries = screen.getAllByRole('img', { name: /^query \d+:/ });
    expect(queries).toHaveLength(WAY * QUERY);
    queries.forEach((q, i) => {
      const right = data.queries.predicted[i] === data.queries.labels[i];
      expect(q).toHaveAccessibleName(new RegExp(`^query ${i + 1}: .*, ${right ? 'right' : 'wrong'}$`));
      // Not by colour alone: the visible caption has a check or a cross.
      expect(q.closest('li')).toHaveTextContent(right ? '✓' : '✗');
    });
    expect(screen.getByRole('img', { name: 'query 1: predicted Glyph 17 (82%), true Glyph 17, right' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'query 2: predicted Glyph 42 (82%), true Glyph 17, wrong' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'query 5: predicted Glyph 17 (82%), true Glyph 42, wrong' })).toBeInTheDocument();
    expect(screen.getByText(/Episode accuracy:/)).toHaveTextContent('Episode accuracy: 66.7% (4 of 6 queries right)');
  });

  it('draws the PCA scatter with the variance share on its axes when the projection exists', () => {
    const { unmount } = render(
      <EpisodeViewer inspection={inspection({ projection })} loading={false} onNewEpisode={() => {}} method="ProtoNet" />,
    );
    expect(screen.getByText('Query embeddings and class prototypes, first two principal components')).toBeInTheDocument();
    const scatter = screen.getByRole('img', { name: /^Scatter plot of 6 query embeddings and 3 class prototypes/ });
    expect(within(scatter).getByText('PC 1 (42% of variance)')).toBeInTheDocument();
    expect(within(scatter).getByText('PC 2 (18% of variance)')).toBeInTheDocument();
    expect(scatter.querySelectorAll('.episode-viewer__prototype')).toHaveLength(3);
    expect(scatter.querySelectorAll('.episode-viewer__point--wrong')).toHaveLength(2);
    expect(screen.queryByText('Query accuracy after each inner step')).not.toBeInTheDocument();
    unmount();

    render(<EpisodeViewer inspection={inspection()} loading={false} onNewEpisode={() => {}} method="MAML" />);
    expect(screen.queryByText(/principal components/)).not.toBeInTheDocument();
  });

  it('draws query accuracy after each inner step when accuracyByStep exists', () => {
    const { container } = render(
      <EpisodeViewer
        inspection={inspection({ accuracyByStep: [1 / 3, 0.5, 2 / 3, 2 / 3] })}
        loading={false}
        onNewEpisode={() => {}}
        method="MAML"
        width={360}
      />,
    );
    expect(screen.getByText('Query accuracy after each inner step')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Query accuracy after each inner step: .*steps 0 to 3/ })).toBeInTheDocument();
    expect(container.querySelector('svg.recharts-surface')).toHaveAttribute('width', '360');
    expect(
      screen.getByText('Query accuracy after 0 steps 33.3%, after 1 step 50.0%, after 2 steps 66.7%, after 3 steps 66.7%.'),
    ).toBeInTheDocument();
  });

  it('calls back on "New episode" and shows loading and error states', () => {
    const onNewEpisode = vi.fn();
    const { rerender } = render(
      <EpisodeViewer inspection={null} loading={false} onNewEpisode={onNewEpisode} method="ProtoNet" />,
    );
    expect(screen.getByText(/No episode yet/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'New episode' }));
    expect(onNewEpisode).toHaveBeenCalledTimes(1);

    rerender(<EpisodeViewer inspection={inspection()} loading onNewEpisode={onNewEpisode} method="ProtoNet" />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading episode…');
    expect(screen.getByRole('button', { name: 'New episode' })).toBeDisabled();
    expect(screen.getByRole('region', { name: 'Test episode' })).toHaveAttribute('aria-busy', 'true');

    rerender(
      <EpisodeViewer inspection={null} loading={false} error="The run has no model yet." onNewEpisode={onNewEpisode} method="ProtoNet" />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Could not show an episode: The run has no model yet.');
  });
});
