import { Command } from 'commander';
import { type CloudClientOptions, cloudTimeoutFromEnv } from '../../contribute/cloud-client.js';
import { defaultOutboxPath, Outbox, OutboxBusyError, readOutbox } from '../../contribute/outbox.js';
import { countStates, sceneStatuses, type SceneContributionStatus } from '../../contribute/outbox-status.js';
import {
  listMyContributions,
  refreshStatuses,
  withdrawAllContributions,
} from '../../contribute/sender-cloud.js';
import { drain, senderConfigFromEnv } from '../../contribute/sender.js';
import { createRunContext, EXIT, type RunContext } from '../run-context.js';

interface CloudFlags {
  server?: string;
  apiKey?: string;
  outbox?: string;
  json?: boolean;
}

function cloudFrom(flags: CloudFlags): CloudClientOptions | null {
  const serverUrl = flags.server ?? (process.env.STASH_SENSE_CLOUD_URL || undefined);
  const apiKey = flags.apiKey ?? (process.env.STASH_SENSE_API_KEY || undefined);
  return serverUrl && apiKey ? { serverUrl, apiKey, timeoutMs: cloudTimeoutFromEnv() } : null;
}

function withCloudOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the cloud [env STASH_SENSE_CLOUD_URL]')
    .option('--api-key <key>', 'API key [env STASH_SENSE_API_KEY]')
    .option('--outbox <file>', 'the outbox journal [env STASH_SENSE_OUTBOX]')
    .option('--json', 'print JSON on stdout');
}

function formatStatus(s: SceneContributionStatus): string {
  const where = `${s.scene.localSceneId ? `scene ${s.scene.localSceneId} ` : ''}${s.scene.endpoint} ${s.scene.stashId}`;
  const parts = [`${s.state.padEnd(9)} ${where}`];
  if (s.performers.length) parts.push(`performers ${s.performers.join(', ')}`);
  if (s.state === 'queued' && s.attempts)
    parts.push(`${s.attempts} tries, next ${s.nextAttemptAt ?? 'now'}: ${s.lastError ?? ''}`);
  if (s.reason) parts.push(s.reason);
  for (const c of s.cloud)
    parts.push(`${c.performerStashId}: ${c.status}${c.statusReason ? ` (${c.statusReason})` : ''}`);
  return parts.join(' — ');
}

async function withOutbox<T>(
  run: RunContext,
  path: string,
  fn: (outbox: Outbox) => Promise<T>,
): Promise<T | null> {
  let outbox: Outbox;
  try {
    outbox = Outbox.open(path);
  } catch (error) {
    run.error((error as Error).message);
    process.exitCode = EXIT.failed;
    return null;
  }
  try {
    return await fn(outbox);
  } finally {
    outbox.close();
  }
}

export function contributionsCommand(): Command {
  const status = withCloudOptions(
    new Command('status')
      .summary('queued / sent / accepted / rejected per scene')
      .description(
        'Lists each scene in the outbox with its state. With a cloud and key, the statuses are refreshed first\n' +
          '(GET /v1/me/contributions); --local shows the outbox only.',
      )
      .option('--local', 'do not ask the cloud'),
  ).action(async (flags: CloudFlags & { local?: boolean }) => {
    const run = createRunContext({ progress: false });
    const path = flags.outbox ?? defaultOutboxPath();
    const cloud = flags.local ? null : cloudFrom(flags);
    try {
      if (cloud) {
        try {
          const summaries = await listMyContributions(cloud);
          await withOutbox(run, path, async (outbox) => refreshStatuses(outbox, summaries));
        } catch (error) {
          if (error instanceof OutboxBusyError) run.warn(`${error.message}; showing the statuses it holds`);
          else run.warn(`statuses not refreshed: ${(error as Error).message}`);
          process.exitCode = EXIT.ok;
        }
      }
      const statuses = sceneStatuses(readOutbox(path));
      const counts = countStates(statuses);
      await run.progress.print(
        flags.json
          ? `${JSON.stringify({ counts, scenes: statuses })}\n`
          : `${statuses.map(formatStatus).join('\n')}${statuses.length ? '\n' : ''}${Object.entries(counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')}\n`,
      );
    } finally {
      run.close();
    }
  });

  const withdraw = withCloudOptions(
    new Command('withdraw')
      .summary('remove everything you contributed from the cloud and clear the local outbox')
      .description(
        'DELETE /v1/me/contributions: your faces are deleted at once (no longer in consensus, absent from every\n' +
          'index built afterwards). Then the local outbox is cleared, so nothing queued is sent later.',
      ),
  ).action(async (flags: CloudFlags) => {
    const run = createRunContext({ progress: false });
    try {
      const cloud = cloudFrom(flags);
      if (!cloud) {
        run.error('give --server and --api-key (or STASH_SENSE_CLOUD_URL / STASH_SENSE_API_KEY)');
        process.exitCode = EXIT.usage;
        return;
      }
      await withOutbox(run, flags.outbox ?? defaultOutboxPath(), async (outbox) => {
        // Clear what is queued first only after the cloud confirmed: a failed withdrawal keeps the local history.
        let withdrawal;
        try {
          withdrawal = await withdrawAllContributions(cloud);
        } catch (error) {
          run.error(`withdrawal failed, nothing was cleared: ${(error as Error).message}`);
          process.exitCode = EXIT.failed;
          return;
        }
        const queued = outbox.entries().filter((e) => e.state === 'queued').length;
        outbox.clear();
        await run.progress.print(
          flags.json
            ? `${JSON.stringify({ ...withdrawal, clearedQueued: queued })}\n`
            : `withdrawn: ${withdrawal.withdrawnContributions} contributions, ${withdrawal.deletedFaces} faces deleted (${withdrawal.effective}); local outbox cleared (${queued} queued not sent)\n`,
        );
        process.exitCode = EXIT.ok;
      });
    } finally {
      run.close();
    }
  });

  const send = withCloudOptions(
    new Command('send')
      .summary('send what the outbox still holds (retries with backoff)')
      .option('--retry-for <seconds>', 'keep retrying this long (default 30)', (v) => Number(v)),
  ).action(async (flags: CloudFlags & { retryFor?: number }) => {
    const run = createRunContext({ progress: false });
    try {
      const cloud = cloudFrom(flags);
      if (!cloud) {
        run.error('give --server and --api-key (or STASH_SENSE_CLOUD_URL / STASH_SENSE_API_KEY)');
        process.exitCode = EXIT.usage;
        return;
      }
      await withOutbox(run, flags.outbox ?? defaultOutboxPath(), async (outbox) => {
        const report = await drain(outbox, {
          cloud,
          retryForMs: (Number.isFinite(flags.retryFor) ? flags.retryFor! : 30) * 1000,
          backoff: senderConfigFromEnv(),
          ignoreSchedule: true,
          signal: run.signal,
          onRetry: (e, ms) => run.warn(`${e.lastError}; retrying in ${Math.round(ms / 100) / 10} s`),
        });
        const line = {
          sent: report.sent.length,
          failed: report.failed.length,
          queued: report.retrying.length,
        };
        await run.progress.print(
          flags.json
            ? `${JSON.stringify(line)}\n`
            : `${line.sent} sent, ${line.failed} refused, ${line.queued} still queued\n`,
        );
        for (const f of report.failed) run.error(f.failure?.reason ?? 'refused');
        process.exitCode = report.failed.length ? EXIT.failed : EXIT.ok;
      });
    } finally {
      run.close();
    }
  });

  return new Command('contributions')
    .summary('your contributions: status, send the outbox, withdraw everything')
    .addCommand(status)
    .addCommand(send)
    .addCommand(withdraw)
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense contributions status --server https://sense.example.org --api-key ss_…
  $ stash-sense contributions send
  $ stash-sense contributions withdraw --server https://sense.example.org --api-key ss_…`,
    );
}
