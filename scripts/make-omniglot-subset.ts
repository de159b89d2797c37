// Remakes tests/fixtures/omniglot/images_background_subset.zip: four alphabets of the official
// Omniglot background archive, every drawing of every character, the files unchanged under their
// official paths, so the tests read real Omniglot through the same code path as the whole archive.
//
//   npx tsx scripts/make-omniglot-subset.ts [path/to/images_background.zip]
//
// Without a path it takes $OMNIGLOT_BACKGROUND_ZIP, the team's copy in
// ../shared/data/omniglot/, or the CLI's download cache (`npm run experiment -- --dataset omniglot`
// puts it there). The output is the same bytes for the same input (fixed dates, sorted entries).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { openZip } from '../src/core/data/zip';
import { fullOmniglotBackground } from '../src/node/fullOmniglot';

/** Four scripts that look unlike each other, 89 characters in all, chosen to stay under 1 MB. */
export const SUBSET_ALPHABETS = ['Latin', 'Greek', 'Hebrew', 'Tagalog'];
const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'tests', 'fixtures', 'omniglot', 'images_background_subset.zip');
/** Zip dates are local-time fields; one fixed date keeps the output byte-for-byte reproducible. */
const FIXED_DATE = new Date(2015, 11, 10, 0, 0, 0);

const input = process.argv[2] ?? fullOmniglotBackground();
if (!input || !existsSync(input)) {
  console.error(
    'No images_background.zip found. Pass its path, set OMNIGLOT_BACKGROUND_ZIP, or download it once with\n' +
      '  npm run experiment -- --dataset omniglot --episodes 0 --eval-episodes 1',
  );
  process.exit(1);
}
const archive = openZip(new Uint8Array(readFileSync(input)), 'images_background.zip');
const files: Zippable = {};
let characters = 0;
for (const alphabet of SUBSET_ALPHABETS) {
  const prefix = `images_background/${alphabet}/`;
  const entries = archive.entries.filter((e) => e.path.startsWith(prefix)).sort((a, b) => (a.path < b.path ? -1 : 1));
  if (entries.length === 0) throw new Error(`${input} has no alphabet ${alphabet} under images_background/.`);
  characters += new Set(entries.map((e) => e.path.split('/')[2])).size;
  for (const entry of entries) files[entry.path] = [archive.read(entry), { level: 9, mtime: FIXED_DATE }];
}
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, zipSync(files, { mtime: FIXED_DATE }));
console.log(`Wrote ${OUT}: ${SUBSET_ALPHABETS.length} alphabets, ${characters} characters, ${Object.keys(files).length} drawings, ${statSync(OUT).size} bytes.`);
