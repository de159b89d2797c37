// Where the official Omniglot archives are published (github.com/brendenlake/omniglot, folder
// python/), for the page's download button and the CLI's download cache. Nothing is fetched from
// here unless the person asks for Omniglot.
import type { ArchiveSource } from './archiveDownload';

const OFFICIAL_FOLDER = 'https://raw.githubusercontent.com/brendenlake/omniglot/master/python/';

export const OMNIGLOT_BACKGROUND_URL = `${OFFICIAL_FOLDER}images_background.zip`;

export const OMNIGLOT_BACKGROUND = {
  name: 'images_background.zip',
  url: OMNIGLOT_BACKGROUND_URL,
  // The official file's size as published to us; it could NOT be checked offline. The team's copy
  // in ../shared/data/omniglot is a repack of the same images (10,397,166 bytes; its MD5 and git blob
  // id differ from the official file's), so its size is not the download's. The number only labels
  // the button and stands in for a missing Content-Length: the download is checked against the
  // server's Content-Length and the zip's own structure, never against this constant, so a wrong
  // value here cannot turn away a good download.
  size: 9_464_212,
  label: 'Omniglot background set (964 characters of 30 alphabets, 20 drawings each)',
  citation: 'Lake, Salakhutdinov & Tenenbaum 2015',
  title: 'Omniglot',
} as const satisfies ArchiveSource;


/** The evaluation set: 20 further alphabets (659 characters), the usual held-out test set (the Lake
 * split). Its size is not given: the progress total comes from the server's Content-Length. */
export const OMNIGLOT_EVALUATION = {
  name: 'images_evaluation.zip',
  url: `${OFFICIAL_FOLDER}images_evaluation.zip`,
  label: 'Omniglot evaluation set (659 characters of 20 alphabets, 20 drawings each)',
  citation: 'Lake, Salakhutdinov & Tenenbaum 2015',
  title: 'Omniglot (evaluation set)',
} as const satisfies ArchiveSource;

/** The archives by the names the CLI accepts (`--data omniglot:background`). */
export const OMNIGLOT_ARCHIVES = { background: OMNIGLOT_BACKGROUND, evaluation: OMNIGLOT_EVALUATION } as const;
export type OmniglotArchiveName = keyof typeof OMNIGLOT_ARCHIVES;
