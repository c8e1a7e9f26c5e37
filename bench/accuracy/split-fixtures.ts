// Builds a gallery/probes split from a labelled folder DIR/<person>/*.{jpg,png,webp} (by default the test fixtures):
// the first N photos of each person (natural file-name order) go to the gallery, the rest to the probes; a person with
// a single photo goes to the probes only and so plays an "unknown" person (absent from the gallery).
//   node --conditions=source --import @swc-node/register/esm-register bench/accuracy/split-fixtures.ts \
//     [--source ../shared/fixtures/faces/img] [--out .cache/fixture-split] [--gallery-per-person 1] [--unknown-every 0]
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listLabelledImages } from './embed-folder.js';

export interface SplitResult {
  gallery: string;
  probes: string;
  galleryPeople: number;
  galleryImages: number;
  probeImages: number;
  unknownPeople: number;
}

/**
 * `unknownEvery` > 0 also keeps every k-th person with several photos (in name order) out of the gallery, so the open-set
 * figures rest on more than the few single-photo people.
 */
export function splitLabelledFolder(
  source: string,
  out: string,
  galleryPerPerson: number,
  unknownEvery = 0,
): SplitResult {
  if (!Number.isInteger(galleryPerPerson) || galleryPerPerson < 1)
    throw new Error('--gallery-per-person must be ≥ 1');
  if (!Number.isInteger(unknownEvery) || unknownEvery < 0)
    throw new Error('--unknown-every must be 0 or more');
  const byPerson = new Map<string, string[]>();
  for (const { person, file } of listLabelledImages(source))
    byPerson.set(person, [...(byPerson.get(person) ?? []), file]);
  const gallery = join(out, 'gallery');
  const probes = join(out, 'probes');
  rmSync(out, { recursive: true, force: true });
  const result: SplitResult = {
    gallery,
    probes,
    galleryPeople: 0,
    galleryImages: 0,
    probeImages: 0,
    unknownPeople: 0,
  };
  let several = 0;
  for (const [person, files] of byPerson) {
    const heldOut = files.length > 1 && unknownEvery > 0 && ++several % unknownEvery === 0;
    // Keep at least one probe per person: a person with k ≤ N photos gets k − 1 in the gallery.
    const inGallery = files.length === 1 || heldOut ? 0 : Math.min(galleryPerPerson, files.length - 1);
    if (inGallery === 0) result.unknownPeople++;
    else result.galleryPeople++;
    files.forEach((file, i) => {
      const dir = join(i < inGallery ? gallery : probes, person);
      mkdirSync(dir, { recursive: true });
      copyFileSync(file, join(dir, basename(file)));
      if (i < inGallery) result.galleryImages++;
      else result.probeImages++;
    });
  }
  return result;
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: resolve(import.meta.dirname, '../../../shared/fixtures/faces/img') },
      out: { type: 'string', default: resolve(import.meta.dirname, '../../.cache/fixture-split') },
      'gallery-per-person': { type: 'string', default: '1' },
      'unknown-every': { type: 'string', default: '0' },
    },
  });
  const r = splitLabelledFolder(
    values.source,
    values.out,
    Number(values['gallery-per-person']),
    Number(values['unknown-every']),
  );
  console.log(
    `gallery: ${r.galleryImages} photos of ${r.galleryPeople} people → ${r.gallery}\n` +
      `probes: ${r.probeImages} photos (${r.unknownPeople} people absent from the gallery) → ${r.probes}`,
  );
}
