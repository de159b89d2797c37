// What the few-shot image methods are and which settings they take, without TensorFlow.js. Each
// method describes itself (name, paper, defaults with why they differ from the paper, each
// hyperparameter's hint and range, its teaching text) in its <name>Info.ts file beside its
// implementation; this file lists those descriptions in the order the page shows them and holds the
// one checker of hyperparameters. The playground's main thread reads it to build its controls
// while tfjs loads only in the compute worker; the registry lists the same methods with `create`.
import { SettingsError, type SettingProblem } from '../settingProblems';
import { FINETUNE_INFO } from './finetuneInfo';
import { FOMAML_INFO, MAML_INFO } from './mamlInfo';
import { METALSTM_INFO } from './metalstmInfo';
import type { HyperparameterInfo, Hyperparameters, MethodInfo } from './methodInfo';
import { PROTONET_INFO } from './protonetInfo';

export type { Hyperparameters, HyperparameterInfo, MethodExplanation, MethodInfo, PaperReference, QueryNormalisation } from './methodInfo';
export { PROTONET_DEFAULTS, PROTONET_HYPERPARAMETERS, PROTONET_INFO, type ProtoNetHyperparameters } from './protonetInfo';
export { MAML_DEFAULTS, MAML_HYPERPARAMETERS, MAML_META_BATCH, MAML_INFO, FOMAML_INFO, type MamlHyperparameters } from './mamlInfo';
export { FINETUNE_DEFAULTS, FINETUNE_HYPERPARAMETERS, FINETUNE_INFO, type FineTuneHyperparameters, type HeadKind } from './finetuneInfo';
export { METALSTM_DEFAULTS, METALSTM_HYPERPARAMETERS, METALSTM_INFO, type MetaLstmHyperparameters } from './metalstmInfo';

/**
 * Descriptions keyed by name, in the order given (the order the page lists them). Throws on a
 * name given twice, so two files describing the same name fail when the module loads.
 */
export function catalogOf<I extends { name: string }>(list: readonly I[]): Record<string, I> {
  const out: Record<string, I> = {};
  for (const info of list) {
    if (Object.prototype.hasOwnProperty.call(out, info.name)) throw new Error(`Two methods are named "${info.name}".`);
    out[info.name] = info;
  }
  return out;
}

/** Every image-classification method, in the order the UI lists them (registry.ts's METHODS lists the same). */
export const METHOD_INFOS: readonly MethodInfo[] = [PROTONET_INFO, MAML_INFO, FOMAML_INFO, FINETUNE_INFO, METALSTM_INFO];

/** The same, by name. */
export const METHOD_CATALOG: Record<string, MethodInfo> = catalogOf(METHOD_INFOS);

/**
 * Merges user settings over the method's defaults, checking each name, type, choice and range;
 * throws with every problem listed. The result has the method's hyperparameter type H.
 */
export function resolveHyperparameters<H extends Hyperparameters>(
  spec: Pick<MethodInfo<H>, 'title' | 'defaults' | 'hyperparameters'>,
  given: Hyperparameters = {},
): H {
  const out: Hyperparameters = { ...spec.defaults };
  const hints: Partial<Record<string, HyperparameterInfo>> = spec.hyperparameters;
  const problems: SettingProblem[] = [];
  for (const [name, value] of Object.entries(given)) {
    const info = hints[name];
    const field = `hyper.${name}` as const;
    if (!info || !(name in spec.defaults)) {
      problems.push({ code: 'unknown-setting', field: 'method', message: `${spec.title} has no setting "${name}" (it has: ${Object.keys(spec.defaults).join(', ')}).` });
      continue;
    }
    if (info.choices) {
      if (!info.choices.includes(String(value))) {
        problems.push({ code: 'out-of-range', field, message: `${name} must be one of ${info.choices.join(', ')}, got "${value}".` });
        continue;
      }
      out[name] = String(value);
      continue;
    }
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) {
      problems.push({ code: 'out-of-range', field, message: `${name} must be a number, got "${value}".` });
    } else if ((info.min !== undefined && n < info.min) || (info.max !== undefined && n > info.max)) {
      problems.push({ code: 'out-of-range', field, message: `${name} must be between ${info.min ?? '-inf'} and ${info.max ?? 'inf'}, got ${n}.` });
    } else {
      out[name] = n;
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
  // Every value is the default (an H) or was checked above against the method's hint for it.
  return out as H;
}
