import { Command } from 'commander';
import { buildLocalIndex } from '../../services/enrol.service.js';
import { FaceIndexStore } from '../../services/face-index-store.js';
import { openFacePipeline } from '../../services/pipeline.js';
import {
  addIndexOption,
  addPipelineOptions,
  configFrom,
  type IndexFlags,
  type PipelineFlags,
} from '../options.js';
import { formatIndexInfo } from '../output/format.js';
import { writeLine } from '../output/stdout.js';
import { createRunContext } from '../run-context.js';
import { remoteIndexCommands } from './index-remote.command.js';

interface BuildLocalFlags extends PipelineFlags {
  gallery: string;
  out?: string;
  force?: boolean;
  progress?: boolean;
  json?: boolean;
}

function buildLocalCommand(): Command {
  const command = new Command('build-local')
    .summary('build a face index from a folder of labelled photos')
    .description(
      'Enrols GALLERY/<performer>/*.{jpg,png,webp}: one sub-folder per performer.\n' +
        'A folder named with a UUID is taken as a StashDB performer id; any other name is the performer name.\n' +
        'Photos without a face are skipped with a warning. With several faces, the largest is enrolled only\n' +
        'when it is clearly dominant (2.5× the area of the next); otherwise the photo is skipped.',
    )
    .requiredOption('--gallery <dir>', 'folder of performer folders')
    .option('--out <dir>', 'where to write the index (default: the index folder, see --help of serve)')
    .option('--force', 'replace an index already at --out (the old one stays until the new one is complete)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-progress', 'do not show progress on stderr');
  addPipelineOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense index build-local --gallery ~/gallery --out ~/idx
  $ stash-sense index build-local --gallery ~/gallery --force      # replaces the default index

Gallery layout:
  ~/gallery/Jane Doe/1.jpg
  ~/gallery/Jane Doe/2.png
  ~/gallery/6a1f0e3b-7c55-4d7b-9e61-0d2c4b8a9f10/1.webp   (a StashDB performer id)`,
    )
    .action(async (flags: BuildLocalFlags) => {
      const config = configFrom({ ...flags, index: flags.out });
      const run = createRunContext({ progress: flags.progress, unit: 'photos' });
      const pipeline = await openFacePipeline(config, run.warn);
      try {
        const summary = await buildLocalIndex({
          galleryDir: flags.gallery,
          outDir: config.indexDir,
          pipeline,
          overwrite: flags.force ?? false,
          threads: config.threads,
          onProgress: run.progress.onProgress,
          onWarning: run.warn,
          signal: run.signal,
        });
        run.close();
        if (flags.json) await writeLine(JSON.stringify(summary));
        else {
          await writeLine(
            `wrote ${summary.outDir} (version ${summary.indexVersion}): ${summary.performers} performers, ` +
              `${summary.faces} faces from ${summary.photos} photos; ${summary.skipped.length} photos skipped` +
              (summary.emptyPerformers.length
                ? `; left out (no usable photo): ${summary.emptyPerformers.join(', ')}`
                : ''),
          );
        }
      } finally {
        run.close();
        await pipeline.close();
      }
    });
}

interface InfoFlags extends IndexFlags {
  json?: boolean;
  performers?: boolean;
}

function infoCommand(): Command {
  const command = new Command('info')
    .summary('describe a face index: version, model, counts, size, creation time')
    .option('--json', 'print the description as JSON')
    .option('--performers', 'also list the performers with their stash-box ids and face counts');
  addIndexOption(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense index info
  $ stash-sense index info --index ~/idx --performers
  $ stash-sense index info --json | jq .faceCount`,
    )
    .action(async (flags: InfoFlags) => {
      const config = configFrom(flags);
      const store = new FaceIndexStore(config.indexDir);
      try {
        const info = await store.info();
        const performers = flags.performers ? [...(await store.get()).performers.values()] : undefined;
        if (flags.json) {
          await writeLine(JSON.stringify(performers ? { ...info, performers } : info));
          return;
        }
        await writeLine(formatIndexInfo(info));
        if (performers) {
          await writeLine('');
          for (const p of performers) {
            const ids = p.stashIds.map((id) => `${id.endpoint}:${id.stashId}`).join(' ');
            await writeLine(`${p.name}  (${p.faceCount} faces)${ids ? `  ${ids}` : ''}`);
          }
        }
      } finally {
        await store.close();
      }
    });
}

export function indexCommand(): Command {
  const command = new Command('index')
    .summary('build, pull or inspect a face index')
    .addCommand(buildLocalCommand())
    .addCommand(infoCommand());
  for (const sub of remoteIndexCommands()) command.addCommand(sub);
  return command.addHelpText(
    'after',
    `
Examples:
  $ stash-sense index build-local --gallery ~/gallery --out ~/idx
  $ stash-sense index info --index ~/idx
  $ stash-sense index trust --server https://sense.example.org
  $ stash-sense index pull --server https://sense.example.org
  $ stash-sense index rollback`,
  );
}
