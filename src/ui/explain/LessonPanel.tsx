// The lesson panel: a lesson (lessons.ts) shown one step at a time: what to do (with a button that
// does it, usually starting from a trained snapshot), what to look at, a question, and the answer
// once the page shows it (or at once, on request). Chosen from a menu, or opened by the link
// `?lesson=<id>` (also in embed mode), which the panel offers for each lesson.
import { useContext, useEffect, useId, useRef, useState } from 'react';
import { StoreContext, usePlayground } from '../state/context';
import type { PlaygroundState } from '../state/store';
import { isTraining } from '../state/selectors';
import { SelectField } from '../views/controls/Field';
import { LESSONS, lessonById, stepShown, type Lesson, type LessonAction, type LessonFacts } from './lessons';
import './explain.css';

/** The query key of a lesson's link. */
export const LESSON_KEY = 'lesson';
/** Keys of the page's own query a lesson's link keeps (embed mode's). */
const KEPT_KEYS = ['embed', 'hide', 'origin'];

/** The lesson the page's address asks for, if any. */
export function lessonFromQuery(search: string): Lesson | undefined {
  return lessonById(new URLSearchParams(search).get(LESSON_KEY));
}

/** The link to a lesson from a page whose query is `search` (embed mode's keys kept). */
export function lessonLink(id: string, search: string): string {
  const given = new URLSearchParams(search);
  const params = new URLSearchParams();
  for (const key of KEPT_KEYS) for (const value of given.getAll(key)) params.append(key, value);
  params.set(LESSON_KEY, id);
  return `?${params.toString()}`;
}

/** The newest run started from snapshot `id`. */
function runFrom(state: PlaygroundState, id: string) {
  return state.runs.find((r) => r.snapshot?.id === id);
}

function factsOf(state: PlaygroundState): LessonFacts & { currentRunId: string | null } {
  const entries = state.snapshotEntries();
  return {
    entry: (id) => entries.find((e) => e.id === id),
    run: (id) => runFrom(state, id),
    inspection: state.inspection?.data ?? null,
    sineFit: state.sineFit?.data ?? null,
    currentRunId: state.currentRunId,
  };
}

async function perform(actions: readonly LessonAction[], get: () => PlaygroundState): Promise<void> {
  for (const action of actions) {
    const state = get();
    if (action.kind === 'snapshot') {
      if ((await state.startFromSnapshot(action.id)) === null) return;
    } else if (action.kind === 'select') {
      const run = runFrom(state, action.id);
      if (run && run.id !== state.currentRunId) state.selectRun(run.id);
    } else {
      const run = state.runs.find((r) => r.id === state.currentRunId);
      if (!run) return;
      await (run.setup.dataset === 'sinusoid' ? state.fitSine(run.id) : state.inspect(run.id));
    }
  }
}

export interface LessonPanelProps {
  /** Start with this lesson open (e.g. from the link). */
  initial?: Lesson;
}

export function LessonPanel({ initial }: LessonPanelProps) {
  const [lessonId, setLessonId] = useState(initial?.id ?? LESSONS[0].id);
  const [open, setOpen] = useState(!!initial);
  const [stepIndex, setStepIndex] = useState(0);
  const [revealed, setRevealed] = useState<Set<string>>(new Set());
  const [working, setWorking] = useState(false);
  const titleId = useId();
  const panelRef = useRef<HTMLElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const lesson = lessonById(lessonId) ?? LESSONS[0];
  const step = lesson.steps[Math.min(stepIndex, lesson.steps.length - 1)];
  // The whole state: the answers quote runs, the viewer's episode and the sine task.
  const state = usePlayground((s) => s);
  const store = useContext(StoreContext)!;
  const facts = factsOf(state);
  const training = isTraining(state);
  const status = state.snapshotStatus;
  const key = `${lesson.id}/${stepIndex}`;
  const shown = stepShown(step, facts) || revealed.has(key);

  // Opened by its link: the lesson is where the eye goes first.
  useEffect(() => {
    if (initial) panelRef.current?.scrollIntoView?.({ block: 'start' });
  }, [initial]);

  const choose = (id: string) => {
    setLessonId(id);
    setStepIndex(0);
    setOpen(true);
  };

  return (
    <section className="lesson" aria-labelledby={titleId} ref={panelRef}>
      <SelectField
        label="Lesson"
        value={lesson.id}
        options={LESSONS.map((l) => ({ value: l.id, label: l.title }))}
        onChange={choose}
        hint={open ? undefined : lesson.intro}
      />
      {!open ? (
        <button type="button" onClick={() => setOpen(true)}>
          Start the lesson
        </button>
      ) : (
        <div className="lesson__body" ref={bodyRef}>
          <h3 id={titleId} className="lesson__title">
            {lesson.title}
          </h3>
          {stepIndex === 0 && <p className="lesson__intro">{lesson.intro}</p>}
          <p className="lesson__progress">
            Step {stepIndex + 1} of {lesson.steps.length}: {step.title}
          </p>
          <dl className="lesson__parts">
            <dt>Do</dt>
            <dd>
              {step.task}
              {step.action && (
                <>
                  {' '}
                  <button
                    type="button"
                    className="lesson__action"
                    disabled={working || training}
                    onClick={() => {
                      setWorking(true);
                      void perform(step.action!.steps, () => store.getState()).finally(() => {
                        setWorking(false);
                        // Starting from a model changes the setup above the lesson: keep the step in view.
                        bodyRef.current?.scrollIntoView?.({ block: 'nearest' });
                      });
                    }}
                  >
                    {step.action.label}
                  </button>
                </>
              )}
              {working && status?.status === 'loading' && <span className="muted"> Loading the trained model…</span>}
            </dd>
            <dt>Look at</dt>
            <dd>{step.lookAt}</dd>
            <dt>Think</dt>
            <dd>{step.question}</dd>
            <dt>Answer</dt>
            <dd aria-live="polite" className="lesson__answer">
              {shown ? (
                step.answer(facts)
              ) : (
                <>
                  <span className="muted">The answer appears once the run shows it. </span>
                  <button type="button" className="link" onClick={() => setRevealed(new Set(revealed).add(key))}>
                    Show the answer now
                  </button>
                </>
              )}
            </dd>
          </dl>
          {status?.status === 'error' && (
            <p className="field__error" role="alert">
              {status.message}
            </p>
          )}
          <div className="lesson__nav">
            <button type="button" disabled={stepIndex === 0} onClick={() => setStepIndex(stepIndex - 1)}>
              Previous step
            </button>
            <button type="button" disabled={stepIndex >= lesson.steps.length - 1} onClick={() => setStepIndex(stepIndex + 1)}>
              Next step
            </button>
            <a className="lesson__link" href={lessonLink(lesson.id, typeof location === 'undefined' ? '' : location.search)}>
              Link to this lesson
            </a>
          </div>
        </div>
      )}
    </section>
  );
}
