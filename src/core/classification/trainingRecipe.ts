// The training episodes a run uses when the user leaves them to the method: its own recipe
// (MethodInfo.trainingEpisodes, e.g. ProtoNet's 20-way 5-query episodes, measured with
// `npm run bench:tta`), fitted to the training classes there are. Without a recipe, training
// episodes are the test's, as before.
import type { ClassListing } from '../data/dataset';
import type { SamplerConfig } from '../experiment/runConfig';
import type { MethodInfo } from '../methods/methodInfo';

/**
 * `sampler` with the method's training ways and queries where the user gave none: ways raised to
 * the recipe's (at most the training classes, never below the test's); queries the recipe's when
 * every training class has enough images for them.
 */
export function withTrainingRecipe(
  sampler: SamplerConfig,
  info: Pick<MethodInfo, 'trainingEpisodes'>,
  trainClasses: ClassListing['classes'],
  given: { trainWay: boolean; trainQuery: boolean },
): SamplerConfig {
  const recipe = info.trainingEpisodes;
  if (!recipe) return sampler;
  const out = { ...sampler };
  if (!given.trainWay) out.trainWay = Math.max(sampler.way, Math.min(recipe.minWay, trainClasses.length));
  const shot = sampler.trainShot ?? sampler.shot;
  if (!given.trainQuery && trainClasses.every((c) => c.count >= shot + recipe.query)) out.trainQuery = recipe.query;
  return out;
}
