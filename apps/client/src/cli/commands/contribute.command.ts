import { Command, InvalidArgumentError } from 'commander';
import { FingerprintAlgorithmSchema, type SceneFingerprint } from '@stash-sense/contracts';
import { CLIENT_LIMITS } from '../../config.js';
import { ContributeService, type ContributeResult } from '../../services/contribute.service.js';
import { FaceIndexStore } from '../../services/face-index-store.js';
import { openFacePipeline } from '../../services/pipeline.js';
import {
  addIndexOption,
  addPipelineOptions,
  configFrom,
  type IndexFlags,
  type PipelineFlags,
  positiveInt,
} from '../options.js';
import { createRunContext, EXIT } from '../run-context.js';

interface ContributeFlags extends PipelineFlags, IndexFlags {
  stashBox: string;
  scene: string;
  performer: string[];
  fingerprint: Omit<SceneFingerprint, 'durationSec'>[];
  server?: string;
  apiKey?: string;
  dryRun?: boolean;
  frames?: number;
  json?: boolean;
  progress?: boolean;
}

const collect =
  <T>(parse: (v: string) => T) =>
  (value: string, previous: T[] = []) => [...previous, parse(value)];

function parseFingerprint(value: string): Omit<SceneFingerprint, 'durationSec'> {
  const [algorithm, hash] = value.split(':', 2);
  const parsed = FingerprintAlgorithmSchema.safeParse(algorithm?.toUpperCase());
  if (!parsed.success || !hash)
    throw new InvalidArgumentError(
      'use ALGORITHM:HASH with PHASH, OSHASH or MD5, e.g. phash:8f0c3e1a2b4d5c6e',
    );
  return { algorithm: parsed.data, hash };
}

function formatResult(result: ContributeResult, dryRun: boolean): string {
  const lines = [`${result.file}: ${result.framesSampled} frames, ${result.facesDetected} faces`];
  for (const a of result.attributed)
    lines.push(
      `  → ${a.stashId}: ${a.faces} faces${a.personFaces > a.faces ? ` (best of ${a.personFaces})` : ''}${a.distance !== null ? `, index distance ${a.distance.toFixed(3)}` : ''}`,
    );
  for (const l of result.leftOut)
    lines.push(`  left out: a person with ${l.faces} faces in ${l.frames} frames — ${l.reason}: ${l.detail}`);
  if (!result.request) lines.push('  nothing to contribute: no person could be attributed with confidence');
  else if (dryRun) lines.push(`  dry run: nothing sent (idempotency key ${result.request.idempotencyKey})`);
  else
    for (const c of result.receipt?.contributions ?? [])
      lines.push(
        `  sent: contribution ${c.id} for ${c.performerStashId}: ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''}${c.replacedEarlier ? ', replaced your earlier one' : ''}`,
      );
  return lines.join('\n');
}

export function contributeCommand(): Command {
  const command = new Command('contribute')
    .summary('send the face embeddings of a scene a stash-box already identifies to the cloud (opt-in)')
    .description(
      'Analyses VIDEO, groups its faces into people and attributes them to the performers credited on the\n' +
        'stash-box scene: in a solo scene the dominant person; in a scene with several performers only a person\n' +
        'the local index matches clearly to exactly one credited performer. Everyone else is left out (and listed).\n' +
        'Only embeddings, boxes and timestamps are sent — never images. The file’s OSHASH is added to the fingerprints.',
    )
    .argument('<video>', 'the scene file')
    .requiredOption('--stash-box <url>', 'stash-box GraphQL URL, e.g. https://stashdb.org/graphql')
    .requiredOption('--scene <id>', 'the scene id on that stash-box')
    .requiredOption(
      '--performer <id>',
      'a performer credited on the scene (repeat for each)',
      collect((v) => v),
    )
    .option(
      '--fingerprint <alg:hash>',
      'a fingerprint of this file, e.g. phash:8f0c… (repeatable)',
      collect(parseFingerprint),
      [],
    )
    .option('--server <url>', 'the cloud [env STASH_SENSE_CLOUD_URL]')
    .option('--api-key <key>', 'API key with the contribute scope [env STASH_SENSE_API_KEY]')
    .option('--dry-run', 'analyse and show what would be sent; send nothing')
    .option(
      '--frames <n>',
      `frames sampled (default 60, at most ${CLIENT_LIMITS.maxSceneFrames})`,
      positiveInt('--frames', CLIENT_LIMITS.maxSceneFrames),
    )
    .option('--json', 'print the result (with the request) as JSON on stdout')
    .option('--no-progress', 'do not show progress on stderr');
  addIndexOption(command);
  addPipelineOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense contribute scene.mp4 --stash-box https://stashdb.org/graphql --scene 1d3f… \\
      --performer 9a1b… --fingerprint phash:8f0c3e1a2b4d5c6e --server https://sense.example.org --api-key ss_…
  $ stash-sense contribute scene.mp4 --stash-box … --scene … --performer … --performer … --dry-run`,
    )
    .action(async (video: string, flags: ContributeFlags) => {
      const config = configFrom(flags);
      const server = flags.server ?? (process.env.STASH_SENSE_CLOUD_URL || undefined);
      const apiKey = flags.apiKey ?? (process.env.STASH_SENSE_API_KEY || undefined);
      const run = createRunContext({ progress: flags.progress, unit: 'frames' });
      if (!flags.dryRun && (!server || !apiKey)) {
        run.error(
          'give --server and --api-key (or STASH_SENSE_CLOUD_URL / STASH_SENSE_API_KEY), or use --dry-run',
        );
        run.close();
        process.exitCode = EXIT.usage;
        return;
      }
      const pipeline = await openFacePipeline(config, run.warn);
      const indexStore = new FaceIndexStore(config.indexDir, pipeline.model);
      try {
        const service = new ContributeService({ pipeline, indexStore, onWarning: run.warn });
        const result = await service.contributeScene(
          {
            file: video,
            endpoint: flags.stashBox,
            sceneId: flags.scene,
            performers: flags.performer,
            fingerprints: flags.fingerprint,
          },
          {
            ...(flags.frames !== undefined ? { frames: flags.frames } : {}),
            dryRun: flags.dryRun ?? false,
            ...(server && apiKey ? { cloud: { serverUrl: server, apiKey } } : {}),
            signal: run.signal,
            onProgress: run.progress.onProgress,
          },
        );
        await run.progress.print(
          flags.json ? `${JSON.stringify(result)}\n` : `${formatResult(result, flags.dryRun ?? false)}\n`,
        );
        process.exitCode = EXIT.ok;
      } catch (error) {
        run.error((error as Error).message);
        process.exitCode = EXIT.failed;
      } finally {
        run.close();
        await indexStore.close();
        await pipeline.close();
      }
    });
}
