import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from './simulate.js';
import { WORLD_DEFAULTS, type WorldSettings } from './world.js';

const small: WorldSettings = {
  ...WORLD_DEFAULTS,
  performers: 24,
  outsiders: 20,
  scenes: 80,
  accounts: 30,
  attack: 'none',
  maliciousShare: 0,
  targets: 4,
};

test('the simulation is deterministic: same seed, same figures (timings aside)', () => {
  const strip = (m: ReturnType<typeof simulate>) => ({ ...m, timing: null });
  const a = simulate({ ...small, attack: 'sybil-swarm', maliciousShare: 0.3 }, 3);
  const b = simulate({ ...small, attack: 'sybil-swarm', maliciousShare: 0.3 }, 3);
  assert.deepEqual(strip(a), strip(b));
  const other = simulate({ ...small, attack: 'sybil-swarm', maliciousShare: 0.3, seed: 2 }, 3);
  assert.notDeepEqual(strip(other), strip(a), 'another seed gives another world');
});

test('honest world: performers reach a consensus and most honest faces are trusted', () => {
  const m = simulate(small, 4);
  assert.equal(m.attackers, 0);
  assert.equal(m.poisonedFromAttackers, 0);
  assert.ok(m.performers.established > 0);
  assert.ok(m.trustedFaces > 0);
  assert.ok(
    m.honestAcceptedEstablished > 0.9,
    `honest accepted where established ${m.honestAcceptedEstablished}`,
  );
  assert.ok(m.timeToConsensus.medianRounds !== null);
});

test('a swarm of new accounts pushing the same wrong faces gets none of them trusted', () => {
  const m = simulate({ ...small, attack: 'sybil-swarm', maliciousShare: 0.3 }, 4);
  assert.equal(m.attackers, 9);
  assert.ok(m.contributions.attacker > 0);
  assert.equal(m.poisonedFromAttackers, 0);
  assert.equal(m.targets.poisonedShare, 0);
});

test('swap attackers are caught by the scene-level swap detection', () => {
  const m = simulate({ ...small, attack: 'targeted-swap', maliciousShare: 0.2 }, 3);
  assert.equal(m.poisonedFromAttackers, 0);
  assert.ok(m.swapsDetected.attackerAccountsCaught > 0, JSON.stringify(m.swapsDetected));
});
