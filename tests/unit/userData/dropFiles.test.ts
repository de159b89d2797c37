// Listing what the user hands over (src/ui/userData/dropFiles.ts): dropped folders walked through
// the entry API (batched readEntries, empty folders, unreadable folders), picked files with their
// relative paths, and zips (including one that is not a zip), then read by ingestFiles.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { filesFromDataTransfer, filesFromFileList, filesFromZip } from '../../../src/ui/userData/dropFiles';
import { ingestFiles } from '../../../src/ui/userData/ingest';
import { OwnDataError } from '../../../src/ui/userData/ownDataset';
import { nodePrepare, png, text } from './helpers';

// ---- A minimal stand-in for the File and Directory Entries API ----

interface FakeEntry {
  name: string;
  fullPath: string;
  isFile: boolean;
  isDirectory: boolean;
  file?: (ok: (f: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (entries: FakeEntry[]) => void, fail: (e: unknown) => void) => void };
}

function fileEntry(fullPath: string, bytes: Uint8Array): FakeEntry {
  const name = fullPath.slice(fullPath.lastIndexOf('/') + 1);
  return { name, fullPath, isFile: true, isDirectory: false, file: (ok) => ok(new File([bytes as BlobPart], name)) };
}

/** A folder whose reader hands out its children two at a time, then an empty batch (as browsers batch). */
function dirEntry(fullPath: string, children: FakeEntry[], failWith?: unknown): FakeEntry {
  return {
    name: fullPath.slice(fullPath.lastIndexOf('/') + 1),
    fullPath,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok, fail) =>
          setTimeout(() => {
            if (failWith) return fail(failWith);
            ok(children.slice(at, at + 2));
            at += 2;
          }, 0),
      };
    },
  };
}

function dataTransfer(items: Array<FakeEntry | File>): DataTransfer {
  return {
    items: items.map((item) =>
      item instanceof File
        ? { kind: 'file', webkitGetAsEntry: (): FakeEntry | null => null, getAsFile: (): File | null => item }
        : { kind: 'file', webkitGetAsEntry: (): FakeEntry | null => item, getAsFile: (): File | null => null },
    ),
    files: [],
  } as unknown as DataTransfer;
}

const bytesOf = async (files: Array<{ path: string; read(): Promise<Uint8Array> }>) =>
  Object.fromEntries(await Promise.all(files.map(async (f) => [f.path, f.path.endsWith('/') ? null : Array.from(await f.read())])));

describe('filesFromDataTransfer', () => {
  it('walks dropped folders to the end of every batched listing, keeps empty folders, and reads lazily', async () => {
    const cats = Array.from({ length: 5 }, (_, i) => fileEntry(`/pets/cats/${i}.png`, png(i)));
    const drop = dataTransfer([
      dirEntry('/pets', [dirEntry('/pets/cats', cats), dirEntry('/pets/empty', []), fileEntry('/pets/dogs.png', png(9))]),
      new File([png(7) as BlobPart], 'loose.png'),
    ]);
    const files = await filesFromDataTransfer(drop);
    expect(files.map((f) => f.path)).toEqual([
      'loose.png',
      'pets/cats/0.png',
      'pets/cats/1.png',
      'pets/cats/2.png',
      'pets/cats/3.png',
      'pets/cats/4.png',
      'pets/empty/',
      'pets/dogs.png',
    ]);
    const contents = await bytesOf(files);
    expect(contents['pets/cats/4.png']).toEqual(Array.from(png(4)));
    expect(contents['loose.png']).toEqual(Array.from(png(7)));

    const { classes, problems } = await ingestFiles(files, nodePrepare);
    // The loose file keeps "pets" from being looked through, so pets/dogs.png is an image of class "pets".
    expect(classes.map((c) => [c.name, c.images.length])).toEqual([
      ['cats', 5],
      ['pets', 1],
    ]);
    expect(problems).toEqual([
      'loose.png: not inside a class folder (each class is a folder of images, e.g. cats/1.jpg) (skipped)',
      'pets/empty: an empty folder; put images of the class in it (class skipped)',
    ]);
  });

  it('marks a folder that cannot be listed, and ingest reports it while the rest loads', async () => {
    const drop = dataTransfer([
      dirEntry('/locked', [], new DOMException('Permission denied', 'NotReadableError')),
      dirEntry('/cats', [fileEntry('/cats/a.png', png(1))]),
    ]);
    const files = await filesFromDataTransfer(drop);
    const { classes, problems } = await ingestFiles(files, nodePrepare);
    expect(classes.map((c) => c.name)).toEqual(['cats']);
    expect(problems).toEqual([
      'locked: this folder could not be read (Permission denied); drop it again, or choose it with the folder picker (skipped)',
    ]);
  });
});

describe('filesFromFileList', () => {
  it('uses webkitRelativePath when a folder was picked, the bare name otherwise', async () => {
    const inFolder = new File([png(1) as BlobPart], '1.png');
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'myset/cats/1.png' });
    const bare = new File([png(2) as BlobPart], '2.png');
    const files = filesFromFileList([inFolder, bare]);
    expect(files.map((f) => f.path)).toEqual(['myset/cats/1.png', '2.png']);
    expect(await files[1].read()).toEqual(png(2));
  });
});

describe('filesFromZip', () => {
  it('lists entries and folders (an empty one too), leaving out __MACOSX and hidden files', async () => {
    const zip = zipSync({ 'set/cats/a.png': png(1), 'set/empty/': new Uint8Array(0), '__MACOSX/set/cats/._a.png': text('x'), 'set/.DS_Store': text('x') });
    const files = filesFromZip(zip, 'set.zip');
    expect(files.map((f) => f.path).sort()).toEqual(['set/', 'set/cats/', 'set/cats/a.png', 'set/empty/']);
    const { classes, problems } = await ingestFiles(files, nodePrepare);
    expect(classes.map((c) => [c.name, c.images.map((i) => Array.from(i.bytes))])).toEqual([['cats', [Array.from(png(1))]]]);
    expect(problems).toEqual(['empty: an empty folder; put images of the class in it (class skipped)']);
  });

  it('says clearly when the file is not a zip, or a damaged one', () => {
    const notZip = () => filesFromZip(text('hello'), 'photos.zip');
    expect(notZip).toThrow(OwnDataError);
    expect(notZip).toThrow(
      'photos.zip is not a zip archive (it does not start like one); choose a .zip file, e.g. one exported from this page or made with "Compress" / "Send to compressed folder".',
    );
    const zip = zipSync({ 'cats/a.png': png(1) });
    const cut = zip.slice(0, Math.floor(zip.length / 2));
    expect(() => filesFromZip(cut, 'cut.zip')).toThrow(/^cut\.zip is not a readable zip archive: .*Check that the file is a complete \.zip/);
  });
});
