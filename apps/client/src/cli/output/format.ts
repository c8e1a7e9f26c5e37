// Human-readable output of the CLI commands (the `--json` output is the contract objects themselves).
import type {
  CliFileErrorLine,
  ImageFacesResult,
  IdentifyImageResult,
  IdentifyVideoResult,
  FaceIndexInfo,
  MatchCandidate,
} from '@stash-sense/contracts';
import { renderTable } from './table.js';

const fixed = (value: number, digits: number) => value.toFixed(digits);
const boxText = (box: readonly number[]) => box.map((v) => Math.round(v)).join(',');
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The error line of a file; the services' messages usually start with the file already. */
export function formatFileError(line: CliFileErrorLine): string {
  return line.error.startsWith(line.file) ? line.error : `${line.file}: ${line.error}`;
}

export function formatFaces(file: string, result: ImageFacesResult): string {
  const header = `${file}  (${result.width}×${result.height}, ${plural(result.faces.length, 'face')})`;
  if (result.faces.length === 0) return `${header}\n  no face found`;
  const rows = result.faces.map((face, i) => [
    String(i),
    boxText(face.box),
    String(Math.round(face.sizePx)),
    fixed(face.score, 2),
    fixed(face.quality, 2),
  ]);
  return `${header}\n${renderTable(['face', 'box x,y,w,h', 'size', 'score', 'quality'], rows)}`;
}

function matchCells(best: MatchCandidate | null, candidates: readonly MatchCandidate[]): string[] {
  if (best) {
    return [describeCandidate(best), fixed(best.distance, 3), fixed(best.confidence, 2), best.band];
  }
  const closest = candidates[0];
  return [
    closest ? `unknown (closest: ${closest.name})` : 'unknown',
    closest ? fixed(closest.distance, 3) : '-',
    closest ? fixed(closest.confidence, 2) : '-',
    closest ? closest.band : '-',
  ];
}

function describeCandidate(candidate: MatchCandidate): string {
  const ids = candidate.stashIds
    .filter((id) => id.stashId !== candidate.name)
    .map((id) => `${id.endpoint}:${id.stashId}`)
    .join(' ');
  return ids ? `${candidate.name} [${ids}]` : candidate.name;
}

export function formatIdentifyImage(file: string, result: IdentifyImageResult): string {
  const header = `${file}  (${result.width}×${result.height}, ${plural(result.faces.length, 'face')})`;
  if (result.faces.length === 0) return `${header}\n  no face found`;
  const rows = result.people.map((person) => {
    const face = result.faces[person.face];
    return [
      String(person.face),
      face ? boxText(face.box) : '',
      ...matchCells(person.bestMatch, person.candidates),
    ];
  });
  return `${header}\n${renderTable(['face', 'box x,y,w,h', 'best match', 'distance', 'confidence', 'band'], rows)}`;
}

export function formatIdentifyVideo(file: string, result: IdentifyVideoResult): string {
  const header =
    `${file}  (${result.width}×${result.height}, ${fixed(result.durationSec, 1)} s, ` +
    `${plural(result.framesSampled, 'frame')} sampled, ${plural(result.faceCount, 'face')}, ` +
    `${plural(result.people.length, 'person')})`.replace('persons', 'people');
  if (result.people.length === 0) return `${header}\n  nobody recognisable`;
  const rows = result.people.map((person) => [
    String(person.person),
    String(person.frameCount),
    String(person.faceCount),
    ...matchCells(person.bestMatch, person.candidates),
  ]);
  return `${header}\n${renderTable(['person', 'frames', 'faces', 'best match', 'distance', 'confidence', 'band'], rows)}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatIndexInfo(info: FaceIndexInfo): string {
  const rows: [string, string][] = [
    ['folder', info.dir],
    ['index version', info.indexVersion],
    ['model', `${info.model.name} ${info.model.version} (${info.model.dimension}-d, ${info.model.metric})`],
    ['performers', String(info.performerCount)],
    ['faces', String(info.faceCount)],
    ['size', formatBytes(info.sizeBytes)],
    ['created', info.createdAt],
  ];
  if (info.parentVersion) rows.push(['built from', info.parentVersion]);
  if (info.signed !== undefined)
    rows.push(['signed', info.signed ? 'yes (manifest.jws)' : 'no (a local index)']);
  if (info.previousVersion) rows.push(['rollback to', info.previousVersion]);
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}
