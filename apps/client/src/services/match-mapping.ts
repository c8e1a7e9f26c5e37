// Conversion of the identify module's results to the contract objects (pure; numbers rounded for the wire).
import type { ImagePerson, MatchCandidate, SceneCandidate, ScenePerson } from '@stash-sense/contracts';
import type {
  Candidate,
  FaceIdentification,
  SceneCandidate as SceneMatch,
  ScenePerson as ScenePersonMatch,
} from '../identify/index.js';
import { round } from './wire.js';

const DISTANCE_DECIMALS = 4;

export function toMatchCandidate(candidate: Candidate): MatchCandidate {
  return {
    performerId: candidate.performer.id,
    name: candidate.performer.name,
    stashIds: candidate.performer.stashIds.map((id) => ({ endpoint: id.endpoint, stashId: id.stashId })),
    distance: round(candidate.distance, DISTANCE_DECIMALS),
    confidence: round(candidate.confidence, DISTANCE_DECIMALS),
    band: candidate.band,
  };
}

export function toSceneCandidate(candidate: SceneMatch): SceneCandidate {
  return {
    ...toMatchCandidate(candidate),
    appearances: candidate.appearances,
    uniqueFrames: candidate.uniqueFrames,
    frequency: round(candidate.frequency, DISTANCE_DECIMALS),
    score: round(candidate.score, DISTANCE_DECIMALS),
  };
}

export function toImagePeople(identifications: readonly FaceIdentification[]): ImagePerson[] {
  return identifications.map((id) => ({
    face: id.face,
    bestMatch: id.bestMatch ? toMatchCandidate(id.bestMatch) : null,
    candidates: id.candidates.map(toMatchCandidate),
  }));
}

export function toScenePeople(people: readonly ScenePersonMatch[]): ScenePerson[] {
  return people.map((person) => ({
    person: person.personId,
    frameCount: person.frameCount,
    faceCount: person.faceCount,
    bestMatch: person.bestMatch ? toSceneCandidate(person.bestMatch) : null,
    candidates: person.candidates.map(toSceneCandidate),
    track: {
      trackId: person.track.trackId,
      points: person.track.points.map((point) => ({
        frame: point.frame,
        timestampSec: round(point.timestampSec, 3),
        box: point.box.map((v) => round(v, 1)) as [number, number, number, number],
        score: round(point.score, DISTANCE_DECIMALS),
        quality: round(point.quality, DISTANCE_DECIMALS),
      })),
    },
  }));
}
