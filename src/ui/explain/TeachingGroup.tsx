// The setup panel's Teaching group: the lessons (opened by `?lesson=<id>`, also in embed mode, where
// the group shows for a lesson's link even when the host hides the presets), the trained models,
// and the guided presets (`presets`, null when hidden).
import { useState, type ReactNode } from 'react';
import { LessonPanel, lessonFromQuery } from './LessonPanel';
import { TrainedModels } from './TrainedModels';

export function TeachingGroup({ presets }: { presets: ReactNode | null }) {
  const [lesson] = useState(() => (typeof location === 'undefined' ? undefined : lessonFromQuery(location.search)));
  if (!presets && !lesson) return null;
  return (
    <fieldset className="panel__group">
      <legend>Teaching</legend>
      <LessonPanel initial={lesson} />
      <TrainedModels />
      {presets}
    </fieldset>
  );
}
