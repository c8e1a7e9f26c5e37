import { Command, InvalidArgumentError } from 'commander';
import { FingerprintAlgorithmSchema, type SceneFingerprint } from '@stash-sense/contracts';
import { CLIENT_LIMITS } from '../../config.js';
import { defaultOutboxPath, Outbox } from '../../contribute/outbox.js';
import { sceneCandidates } from '../../contribute/library-walk.js';
import { cloudTimeoutFromEnv } from '../../contribute/cloud-client.js';
import { senderConfigFromEnv } from '../../contribute/sender.js';
import {
  ContributeService,
  type ContributeResult,
  type ContributeSceneInput,
  type LibraryReport,
  type LibrarySceneEvent,
} from '../../services/contribute.service.js';
import { StashClient } from '../../stash/stash-client.js';
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
  stashBox?: string;
  scene?: string;
  performer?: string[];
  all?: boolean;
  stashScene?: string;
  optIn?: boolean;
  stashUrl?: string;
  stashApiKey?: string;
  outbox?: string;
  retryFor?: number;
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
  else if (result.outbox?.state === 'queued')
    lines.push(
      `  queued: not sent yet after ${result.outbox.attempts} tries (${result.outbox.lastError}); it stays in the outbox and is retried by the next contribute or \`stash-sense contributions send\``,
    );
  else
    for (const c of result.receipt?.contributions ?? [])
      lines.push(
        `  sent: contribution ${c.id} for ${c.performerStashId}: ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''}${c.replacedEarlier ? ', replaced your earlier one' : ''}`,
      );
  return lines.join('\n');
}

function formatSceneEvent(e: LibrarySceneEvent): string {
  const what = `scene ${e.localSceneId} (${e.endpoint} ${e.stashBoxSceneId})`;
  return `[${e.index + 1}/${e.total}] ${what}: ${e.outcome}${e.detail ? ` — ${e.detail}` : ''}`;
}

function formatLibraryReport(r: LibraryReport, dryRun: boolean): string {
  const head = `${r.scenes} scenes: ${r.already} done before, ${r.queued} ${dryRun ? 'would be sent' : 'queued'}, ${r.nothing} with nobody attributed, ${r.unusable} unusable, ${r.unreadable} unreadable`;
  if (!r.send) return head;
  return `${head}\noutbox: ${r.send.sent.length} sent, ${r.send.failed.length} refused, ${r.send.retrying.length} still queued`;
}

/** STASH_SENSE_CONTRIBUTE=true (or 1/yes) is the configured opt-in for `--all`. */
export function optedIn(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return flag === true || /^(1|true|yes|on)$/i.test(env.STASH_SENSE_CONTRIBUTE?.trim() ?? '');
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
    .argument('[video]', 'the scene file (or --all)')
    .option('--stash-box <url>', 'stash-box GraphQL URL, e.g. https://stashdb.org/graphql')
    .option('--scene <id>', 'the scene id on that stash-box')
    .option(
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
      '--all',
      'walk the Stash library: every scene with a stash-box id whose performers are linked (needs --opt-in)',
    )
    .option(
      '--stash-scene <id>',
      'one scene of your Stash library: its file, stash-box scene id and credited performers come from Stash',
    )
    .option('--opt-in', 'I agree to send face embeddings of my library [env STASH_SENSE_CONTRIBUTE=true]')
    .option('--stash-url <url>', 'Stash, e.g. http://localhost:9999 [env STASH_SENSE_STASH_URL]')
    .option('--stash-api-key <key>', 'Stash API key when Stash has a login [env STASH_SENSE_STASH_API_KEY]')
    .option(
      '--outbox <file>',
      'the outbox journal (default ~/.local/share/stash-sense/contributions-outbox.jsonl) [env STASH_SENSE_OUTBOX]',
    )
    .option(
      '--retry-for <seconds>',
      'keep retrying an unreachable cloud this long before leaving the rest queued (default 30)',
      (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('--retry-for must be seconds ≥ 0');
        return n;
      },
    )
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
  $ stash-sense contribute scene.mp4 --stash-box … --scene … --performer … --performer … --dry-run
  $ STASH_SENSE_CONTRIBUTE=true stash-sense contribute --all --stash-url http://localhost:9999 \\
      --server https://sense.example.org --api-key ss_…     # resumes; sends each scene once
  $ stash-sense contribute --all --opt-in --stash-url http://localhost:9999 --dry-run --json`,
    )
    .action(async (video: string | undefined, flags: ContributeFlags) => {
      const config = configFrom(flags);
      const server = flags.server ?? (process.env.STASH_SENSE_CLOUD_URL || undefined);
      const apiKey = flags.apiKey ?? (process.env.STASH_SENSE_API_KEY || undefined);
      const run = createRunContext({ progress: flags.progress, unit: flags.all ? 'scenes' : 'frames' });
      const usage = (message: string) => {
        run.error(message);
        run.close();
        process.exitCode = EXIT.usage;
      };
      const stashUrl = flags.stashUrl ?? config.stashUrl;
      if (flags.all) {
        if (video || flags.scene || flags.performer?.length)
          return usage('--all walks the Stash library: give no video, --scene or --performer with it');
        if (!optedIn(flags.optIn))
          return usage(
            'contributing the library is opt-in: add --opt-in (or set STASH_SENSE_CONTRIBUTE=true) to send face embeddings of your scenes',
          );
        if (!stashUrl) return usage('give --stash-url (or STASH_SENSE_STASH_URL)');
      } else if (flags.stashScene) {
        if (video || flags.scene || flags.performer?.length)
          return usage(
            '--stash-scene reads the file and credits from Stash: give no video, --scene or --performer',
          );
        if (!stashUrl) return usage('give --stash-url (or STASH_SENSE_STASH_URL)');
      } else if (!video || !flags.stashBox || !flags.scene || !flags.performer?.length)
        return usage('give VIDEO --stash-box URL --scene ID --performer ID (or --stash-scene ID, or --all)');
      if (!flags.dryRun && (!server || !apiKey))
        return usage(
          'give --server and --api-key (or STASH_SENSE_CLOUD_URL / STASH_SENSE_API_KEY), or use --dry-run',
        );
      const cloudTimeoutMs = cloudTimeoutFromEnv(); // a bad value stops here, before anything is opened
      let outbox: Outbox | null = null;
      if (!flags.dryRun) {
        try {
          outbox = Outbox.open(flags.outbox ?? defaultOutboxPath());
        } catch (error) {
          run.error((error as Error).message);
          run.close();
          process.exitCode = EXIT.failed;
          return;
        }
        if (outbox.recovery.tornTail) run.warn('the outbox’s last line was cut by a crash; it was dropped');
        if (outbox.recovery.corruptLines)
          run.warn(`${outbox.recovery.corruptLines} unreadable outbox lines were skipped`);
      }
      const pipeline = await openFacePipeline(config, run.warn);
      const indexStore = new FaceIndexStore(config.indexDir, pipeline.model);
      const common = {
        ...(flags.frames !== undefined ? { frames: flags.frames } : {}),
        dryRun: flags.dryRun ?? false,
        ...(server && apiKey ? { cloud: { serverUrl: server, apiKey, timeoutMs: cloudTimeoutMs } } : {}),
        ...(outbox ? { outbox } : {}),
        retryForMs: (flags.retryFor ?? 30) * 1000,
        backoff: senderConfigFromEnv(),
        signal: run.signal,
      };
      try {
        const service = new ContributeService({ pipeline, indexStore, onWarning: run.warn });
        const stash = stashUrl
          ? new StashClient({
              url: stashUrl,
              ...((flags.stashApiKey ?? config.stashApiKey)
                ? { apiKey: flags.stashApiKey ?? config.stashApiKey }
                : {}),
            })
          : null;
        if (flags.all) {
          const report = await service.contributeLibrary(stash!, {
            ...common,
            onProgress: run.progress.onProgress,
            onScene: (e) =>
              void run.progress.print(
                flags.json
                  ? `${JSON.stringify({ type: 'scene', ...e })}\n`
                  : e.outcome === 'would-send' && e.request
                    ? `${formatSceneEvent(e)}\n${JSON.stringify(e.request)}\n`
                    : `${formatSceneEvent(e)}\n`,
              ),
          });
          await run.progress.print(
            flags.json
              ? `${JSON.stringify({ type: 'summary', ...report, send: report.send ? { sent: report.send.sent.length, failed: report.send.failed.length, retrying: report.send.retrying.length } : null })}\n`
              : `${formatLibraryReport(report, flags.dryRun ?? false)}\n`,
          );
          process.exitCode = report.send?.failed.length ? EXIT.failed : EXIT.ok;
          return;
        }
        let input: ContributeSceneInput = {
          file: video ?? '',
          endpoint: flags.stashBox ?? '',
          sceneId: flags.scene ?? '',
          performers: flags.performer ?? [],
          fingerprints: flags.fingerprint,
        };
        if (flags.stashScene) {
          const scene = await stash!.findScene(flags.stashScene);
          if (!scene) throw new Error(`Stash has no scene ${flags.stashScene}`);
          // The same rules as --all: a file, a stash-box scene id, every performer linked to that stash-box.
          const candidates = sceneCandidates(scene);
          const usable = candidates.find((c) => !c.unusable);
          if (!usable)
            throw new Error(
              `scene ${flags.stashScene} cannot be contributed: ${candidates.map((c) => c.unusable).join('; ') || 'it has no stash-box scene id'}`,
            );
          input = {
            file: usable.file!,
            endpoint: usable.endpoint,
            sceneId: usable.stashBoxSceneId,
            performers: usable.performers,
            fingerprints: [...usable.fingerprints, ...flags.fingerprint],
          };
        }
        const result = await service.contributeScene(input, {
          ...common,
          onProgress: run.progress.onProgress,
        });
        await run.progress.print(
          flags.json ? `${JSON.stringify(result)}\n` : `${formatResult(result, flags.dryRun ?? false)}\n`,
        );
        if (result.outbox?.state === 'failed') {
          run.error(result.outbox.failure?.reason ?? 'the cloud refused the contribution');
          process.exitCode = EXIT.failed;
        } else process.exitCode = EXIT.ok;
      } catch (error) {
        run.error((error as Error).message);
        process.exitCode = EXIT.failed;
      } finally {
        run.close();
        outbox?.close();
        await indexStore.close();
        await pipeline.close();
      }
    });
}
