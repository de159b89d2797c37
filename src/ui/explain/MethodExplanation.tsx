// "About <method>": a collapsible panel explaining the chosen method for lecturers and students:
// what it learns, its key update (the formula, with a spoken version for screen readers), when it
// works well, the paper with a link, why the playground's defaults differ from the paper's, and on
// sine waves what the method does there. The text lives in each method's description (read through
// methodExplanations.ts); the dataset's task family says which description and whether it is sine waves.
import { familyOf } from '../../core/experiment/datasets';
import type { DatasetChoice } from '../state/setup';
import { explanationFor, paperLinkLabel } from './methodExplanations';
import './explain.css';

export interface MethodExplanationProps {
  method: string;
  dataset: DatasetChoice;
}

export function MethodExplanation({ method, dataset }: MethodExplanationProps) {
  const family = familyOf(dataset);
  const e = explanationFor(method, family);
  if (!e) return null;
  const sine = family.id === 'regression';
  return (
    <details className="explain">
      <summary className="explain__summary">About {e.title}</summary>
      <dl className="explain__parts">
        <dt>What it learns</dt>
        <dd>{e.learns}</dd>
        <dt>The update</dt>
        <dd>
          <pre className="explain__formula" role="math" aria-label={e.updateSpoken}>
            <code>{e.update}</code>
          </pre>
        </dd>
        <dt>Works well when</dt>
        <dd>{e.worksWellWhen}</dd>
        <dt>Paper</dt>
        <dd>
          {e.paper.citation}{' '}
          <a href={e.paper.url} target="_blank" rel="noopener noreferrer">
            {paperLinkLabel(e.paper.url)}
            <span className="sr-only"> (opens in a new tab)</span>
          </a>
        </dd>
        <dt>Defaults in this playground</dt>
        <dd className="muted">{e.defaults}</dd>
        {sine && (
          <>
            <dt>On sine waves</dt>
            <dd>{e.regression ?? `${e.title} classify images and have no regression form; pick MAML, first-order MAML, fine-tuning or Meta-LSTM.`}</dd>
          </>
        )}
      </dl>
    </details>
  );
}
