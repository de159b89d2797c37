// A TensorFlow.js model from files the user picked (or dropped): finds the one model.json among
// them, the weight files its manifest lists (by name: a picker gives bare file names), and says
// exactly which are missing. Files that belong to nothing (a README, a second model's shards) are
// ignored. The result is checked whole (checkModelFiles) before it is returned.
import { ModelFilesError, checkModelFiles, expectedWeightPaths, findWeightFile } from '../../core/features/modelFiles';
import type { ModelFiles } from '../../worker/ownImagesProtocol';

/** A browser File, or anything with a name and a way to read its bytes. */
export type PickedFile = File | { name: string; read(): Promise<Uint8Array> };

/** The model in the picked files; rejects with a ModelFilesError that says what to pick. */
export async function modelFilesFromPicked(files: readonly PickedFile[]): Promise<ModelFiles> {
  const jsons = files.filter((file) => file.name.toLowerCase().endsWith('.json'));
  const named = jsons.filter((file) => baseName(file.name).toLowerCase() === 'model.json');
  let jsonFile: PickedFile;
  if (named.length === 1) jsonFile = named[0];
  else if (named.length === 0 && jsons.length === 1) jsonFile = jsons[0];
  else if (jsons.length === 0) {
    throw new ModelFilesError(
      'No model.json among the chosen files; choose the model.json of a TensorFlow.js model together with its weight files (.bin), all at once.',
    );
  } else {
    const list = (named.length > 1 ? named : jsons).map((file) => file.name).join(', ');
    throw new ModelFilesError(`Several .json files were chosen (${list}); choose one model's model.json with its weight files (.bin).`);
  }

  let modelJson: unknown;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(await readPicked(jsonFile)));
  } catch (error) {
    if (error instanceof ModelFilesError) throw error;
    throw new ModelFilesError(`${jsonFile.name} is not valid JSON; choose the model.json file TensorFlow.js saved (it may be damaged).`);
  }
  const paths = expectedWeightPaths(modelJson);

  // Read only the files the manifest asks for.
  const candidates = files.filter((file) => file !== jsonFile);
  const weights: ModelFiles['weights'] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const match = findWeightFile(
      candidates.map((file) => ({ path: file.name, bytes: new Uint8Array(0) })),
      path,
    );
    const file = match && candidates.find((f) => f.name === match.path);
    if (!file) missing.push(baseName(path));
    else weights.push({ path, bytes: await readPicked(file) });
  }
  if (missing.length > 0) {
    throw new ModelFilesError(
      `${missing.length === 1 ? 'The weight file' : 'The weight files'} ${missing.map((m) => `"${m}"`).join(', ')} listed in ${jsonFile.name} ${missing.length === 1 ? 'is' : 'are'} missing; choose ${jsonFile.name} together with every weight file it lists, all at once.`,
    );
  }
  const modelFiles: ModelFiles = { modelJson, weights };
  checkModelFiles(modelFiles);
  return modelFiles;
}

async function readPicked(file: PickedFile): Promise<Uint8Array> {
  try {
    return 'read' in file && typeof file.read === 'function' ? await file.read() : new Uint8Array(await (file as File).arrayBuffer());
  } catch (error) {
    throw new ModelFilesError(`${file.name} could not be read (${error instanceof Error ? error.message : String(error)}); choose it again.`);
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
