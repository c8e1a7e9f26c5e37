// Poisoning benchmark of the consensus rules (apps/cloud/src/consensus): a seeded synthetic world of performers,
// scenes, honest accounts and attackers, run round by round; reports how many poisoned faces reach the trusted set, how
// many honest faces are accepted, and how long a performer takes to reach a consensus.
//   node --conditions=source --import @swc-node/register/esm-register bench/poisoning/main.ts \
//     [--json out.json] [--compare previous.json] [--quick] [--seed 1] [--rounds 8] [--shares 0.1,0.2,0.3]
//     [--attacks random-labels,targeted-swap,sybil-swarm,sybil-farmed,sybil-distinct]
//     [--performers 150] [--accounts 120] [--scenes 600] [--calibration bench/poisoning/calibration.json]
// Progress goes to stderr, the table to stdout.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONSENSUS_DEFAULTS, decidePerformer } from '../../apps/cloud/src/consensus/consensus.rules.js';
import { contribution, established } from '../../apps/cloud/src/consensus/testing/builders.js';
import {
  Rng,
  SYNTHETIC_DEFAULTS,
  identityCentre,
  samplePhoto,
} from '../../apps/cloud/src/consensus/testing/synthetic-embeddings.js';
import type { Calibration } from './calibrate.js';
import { summarise, type DistanceSummary } from './distance-summary.js';
import { simulate, type RunMetrics } from './simulate.js';
import { WORLD_DEFAULTS, type AttackKind, type WorldSettings } from './world.js';

const ATTACKS: AttackKind[] = [
  'random-labels',
  'targeted-swap',
  'sybil-swarm',
  'sybil-farmed',
  'sybil-distinct',
];

export interface PoisoningReport {
  settings: {
    world: Omit<WorldSettings, 'attack' | 'maliciousShare'>;
    rounds: number;
    shares: number[];
    attacks: string[];
  };
  geometry: { synthetic: GeometryCheck; real: GeometryCheck | null };
  runs: RunMetrics[];
  largePerformer: { faces: number; contributions: number; msMedian: number; msRuns: number[] };
  goals: { poisonedAt20PercentSybils: number | null; honestAcceptedMin: number | null; met: boolean | null };
}

interface GeometryCheck {
  genuinePairs: Pick<DistanceSummary, 'p10' | 'p50' | 'p90' | 'p99'>;
  impostorPairs: Pick<DistanceSummary, 'p01' | 'p10' | 'p50' | 'p90'>;
}

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    compare: { type: 'string' },
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    rounds: { type: 'string' },
    shares: { type: 'string', default: '0.1,0.2,0.3' },
    attacks: { type: 'string', default: ATTACKS.join(',') },
    performers: { type: 'string' },
    accounts: { type: 'string' },
    scenes: { type: 'string' },
    calibration: { type: 'string', default: resolve(import.meta.dirname, 'calibration.json') },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.error(
    'usage: bench/poisoning/main.ts [--json out.json] [--compare previous.json] [--quick] [--seed 1] [--rounds 8]\n' +
      `       [--shares 0.1,0.2,0.3] [--attacks ${ATTACKS.join(',')}]\n` +
      '       [--performers 150] [--accounts 120] [--scenes 600] [--calibration bench/poisoning/calibration.json]\n' +
      'Runs a baseline without attackers, then each attack at each share of malicious accounts.\n' +
      'Example: bench/poisoning/main.ts --quick --attacks sybil-swarm --shares 0.2',
  );
  process.exit(0);
}

const positiveInt = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a whole number ≥ 1, got "${value}"`);
  return n;
};
const quick = values.quick;
const world: Omit<WorldSettings, 'attack' | 'maliciousShare'> = {
  ...WORLD_DEFAULTS,
  seed: positiveInt('seed', values.seed, 1),
  performers: positiveInt('performers', values.performers, quick ? 60 : WORLD_DEFAULTS.performers),
  accounts: positiveInt('accounts', values.accounts, quick ? 60 : WORLD_DEFAULTS.accounts),
  scenes: positiveInt('scenes', values.scenes, quick ? 240 : WORLD_DEFAULTS.scenes),
};
const rounds = positiveInt('rounds', values.rounds, quick ? 5 : 8);
const shares = values.shares.split(',').map((s) => {
  const n = Number(s);
  if (!(n > 0 && n < 1)) fail(`--shares takes shares between 0 and 1 (e.g. 0.1,0.2), got "${s}"`);
  return n;
});
const attacks = values.attacks.split(',').map((a) => {
  if (!ATTACKS.includes(a as AttackKind)) fail(`unknown attack "${a}": choose from ${ATTACKS.join(', ')}`);
  return a as AttackKind;
});

// 1. The synthetic geometry next to the real embedder's (calibration.json, from calibrate.ts).
const geometry = { synthetic: syntheticGeometry(world.seed), real: realGeometry(values.calibration) };

// 2. The runs.
const runs: RunMetrics[] = [];
const plan: { attack: AttackKind; share: number }[] = [
  { attack: 'none', share: 0 },
  ...attacks.flatMap((attack) => shares.map((share) => ({ attack, share }))),
];
for (const [i, { attack, share }] of plan.entries()) {
  const started = performance.now();
  runs.push(simulate({ ...world, attack, maliciousShare: share }, rounds, CONSENSUS_DEFAULTS));
  process.stderr.write(
    `run ${i + 1}/${plan.length}: ${attack} at ${pct(share, 0)} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}

// 3. One large performer: 5,000 faces from 200 contributions.
const largePerformer = timeLargePerformer(world.seed);

// 4. Goals (issue): ≤ 1% poisoned at 20% sybils, ≥ 90% of honest faces accepted.
const sybil20 = runs.find((r) => r.attack === 'sybil-swarm' && Math.abs(r.maliciousShare - 0.2) < 1e-9);
const goalRuns = runs.filter((r) => r.attack === 'none' || r.attack === 'sybil-swarm');
const honestMin = goalRuns.length ? Math.min(...goalRuns.map((r) => r.honestAccepted)) : null;
const goals = {
  poisonedAt20PercentSybils: sybil20?.poisonedShare ?? null,
  honestAcceptedMin: honestMin,
  met: sybil20 && honestMin !== null ? sybil20.poisonedShare <= 0.01 && honestMin >= 0.9 : null,
};

const report: PoisoningReport = {
  settings: { world, rounds, shares, attacks },
  geometry,
  runs,
  largePerformer,
  goals,
};
console.log(render(report));
if (values.compare) console.log(compare(report, values.compare));
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`report written to ${values.json}\n`);
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function pct(v: number | null, digits = 1): string {
  return v === null ? '—' : `${(100 * v).toFixed(digits)}%`;
}

function syntheticGeometry(seed: number): GeometryCheck {
  const rng = new Rng(seed + 1000);
  const people = Array.from({ length: 80 }, () => identityCentre(rng));
  const photos = people.map((c) => Array.from({ length: 4 }, () => samplePhoto(rng, c)));
  const genuine: number[] = [];
  const impostor: number[] = [];
  const d = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return 1 - s;
  };
  photos.forEach((mine, i) => {
    for (let a = 0; a < mine.length; a++)
      for (let b = a + 1; b < mine.length; b++) genuine.push(d(mine[a]!, mine[b]!));
    for (let j = i + 1; j < photos.length; j++) for (const x of mine) impostor.push(d(x, photos[j]![0]!));
  });
  const g = summarise(genuine);
  const im = summarise(impostor);
  return {
    genuinePairs: { p10: g.p10, p50: g.p50, p90: g.p90, p99: g.p99 },
    impostorPairs: { p01: im.p01, p10: im.p10, p50: im.p50, p90: im.p90 },
  };
}

function realGeometry(path: string): GeometryCheck | null {
  if (!existsSync(path)) return null;
  const c = JSON.parse(readFileSync(path, 'utf8')) as Calibration;
  return {
    genuinePairs: {
      p10: c.pairs.genuine.p10,
      p50: c.pairs.genuine.p50,
      p90: c.pairs.genuine.p90,
      p99: c.pairs.genuine.p99,
    },
    impostorPairs: {
      p01: c.pairs.impostor.p01,
      p10: c.pairs.impostor.p10,
      p50: c.pairs.impostor.p50,
      p90: c.pairs.impostor.p90,
    },
  };
}

function timeLargePerformer(seed: number): PoisoningReport['largePerformer'] {
  const rng = new Rng(seed + 2000);
  const P = identityCentre(rng);
  const Q = identityCentre(rng);
  const contributions = Array.from({ length: 200 }, (_, i) =>
    contribution({
      id: `c${String(i).padStart(3, '0')}`,
      contributorId: `u${i % 50}`,
      sceneId: `s${i % 80}`,
      centre: i % 10 === 0 ? Q : P,
      rng,
      faces: 25,
    }),
  );
  const input = {
    performerId: 'large',
    contributions,
    contributors: Array.from({ length: 50 }, (_, i) => established(`u${i}`)),
    otherPerformers: [{ performerId: 'other', centroid: identityCentre(rng) }],
    notSame: [],
  };
  decidePerformer(input); // warm-up (JIT)
  const msRuns = [0, 1, 2].map(() => {
    const started = performance.now();
    decidePerformer(input);
    return performance.now() - started;
  });
  return {
    faces: 5000,
    contributions: 200,
    msMedian: [...msRuns].sort((a, b) => a - b)[1]!,
    msRuns,
  };
}

function render(r: PoisoningReport): string {
  const w = r.settings.world;
  const lines: string[] = [];
  lines.push(
    `world: ${w.performers} performers (${pct(w.anchoredShare, 0)} with one promo photo), ${w.outsiders} outsiders, ${w.scenes} scenes, ` +
      `${w.accounts} accounts (${pct(w.establishedShare, 0)} of honest ones established), ${r.settings.rounds} weekly rounds, seed ${w.seed}`,
  );
  const geo = (g: GeometryCheck | null) =>
    g
      ? `same person p10/p50/p90/p99 ${[g.genuinePairs.p10, g.genuinePairs.p50, g.genuinePairs.p90, g.genuinePairs.p99].map((x) => x.toFixed(3)).join('/')}, ` +
        `different p1/p10/p50/p90 ${[g.impostorPairs.p01, g.impostorPairs.p10, g.impostorPairs.p50, g.impostorPairs.p90].map((x) => x.toFixed(3)).join('/')}`
      : 'no calibration.json (run bench/poisoning/calibrate.ts)';
  lines.push(`pair distances, synthetic (${JSON.stringify(SYNTHETIC_DEFAULTS)}):`);
  lines.push(`  synthetic: ${geo(r.geometry.synthetic)}`);
  lines.push(`  real:      ${geo(r.geometry.real)}`);
  lines.push('');
  const header = [
    'attack',
    'malicious',
    'poisoned',
    'by attackers',
    'targets poisoned',
    'honest accepted',
    '(where established)',
    'performers established',
    'rounds to consensus p50/p90',
    'contributions p50/p90',
    'attackers flagged',
    'honest flagged',
    'swap records (attackers caught)',
    'ms/decide',
  ];
  const rows = r.runs.map((m) => [
    m.attack,
    pct(m.maliciousShare, 0),
    pct(m.poisonedShare, 2),
    String(m.poisonedFromAttackers),
    m.targets.performers
      ? `${pct(m.targets.poisonedShare, 1)} (${m.targets.established}/${m.targets.performers} est.)`
      : '—',
    pct(m.honestAccepted),
    pct(m.honestAcceptedEstablished),
    `${m.performers.established}/${m.performers.withContributions}${m.performers.inConflict ? ` (+${m.performers.inConflict} conflict)` : ''}`,
    `${m.timeToConsensus.medianRounds ?? '—'}/${m.timeToConsensus.p90Rounds ?? '—'}`,
    `${m.timeToConsensus.medianContributions ?? '—'}/${m.timeToConsensus.p90Contributions ?? '—'}`,
    m.attackers ? pct(m.flagged.attackers, 0) : '—',
    pct(m.flagged.honest, 0),
    `${m.swapsDetected.records} (${m.swapsDetected.attackerAccountsCaught})`,
    m.timing.decideMsPerPerformer.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmtRow = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  lines.push(fmtRow(header));
  lines.push(`|${widths.map((n) => '-'.repeat(n + 2)).join('|')}|`);
  for (const row of rows) lines.push(fmtRow(row));
  lines.push('');
  lines.push(
    `large performer: ${r.largePerformer.faces} faces in ${r.largePerformer.contributions} contributions decided in ` +
      `${r.largePerformer.msMedian.toFixed(0)} ms (median of ${r.largePerformer.msRuns.length})`,
  );
  const g = r.goals;
  lines.push(
    `goals: poisoned at 20% sybils ${pct(g.poisonedAt20PercentSybils, 2)} (≤ 1%), honest faces accepted ≥ ${pct(g.honestAcceptedMin)} ` +
      `without attackers and under the sybil swarm (≥ 90%): ${g.met === null ? 'not measured (run sybil-swarm at 0.2)' : g.met ? 'met' : 'NOT met'}`,
  );
  return lines.join('\n');
}

function compare(now: PoisoningReport, path: string): string {
  const before = JSON.parse(readFileSync(path, 'utf8')) as PoisoningReport;
  const lines = [`compared with ${path}:`];
  const delta = (a: number, b: number | undefined, points = true) =>
    b === undefined
      ? '(no previous value)'
      : points
        ? `${pct(a, 2)} vs ${pct(b, 2)} (${a >= b ? '+' : ''}${(100 * (a - b)).toFixed(2)} points)`
        : `${a.toFixed(1)} vs ${b.toFixed(1)}`;
  for (const run of now.runs) {
    const old = before.runs?.find(
      (r) => r.attack === run.attack && Math.abs(r.maliciousShare - run.maliciousShare) < 1e-9,
    );
    if (!old) {
      lines.push(`  ${run.attack} at ${pct(run.maliciousShare, 0)}: no previous run`);
      continue;
    }
    lines.push(
      `  ${run.attack} at ${pct(run.maliciousShare, 0)}: poisoned ${delta(run.poisonedShare, old.poisonedShare)}; ` +
        `honest accepted ${delta(run.honestAccepted, old.honestAccepted)}; ms/decide ${delta(run.timing.decideMsPerPerformer, old.timing?.decideMsPerPerformer, false)}`,
    );
  }
  lines.push(
    `  large performer: ${now.largePerformer.msMedian.toFixed(0)} ms vs ${before.largePerformer?.msMedian?.toFixed(0) ?? '—'} ms`,
  );
  return lines.join('\n');
}
