import { Command } from 'commander';
import { CLIENT_LIMITS } from '../../config.js';
import { FaceIndexStore } from '../../services/face-index-store.js';
import { IdentifyService } from '../../services/identify.service.js';
import { openFacePipeline } from '../../services/pipeline.js';
import {
  addIndexOption,
  addOutputOptions,
  addPipelineOptions,
  configFrom,
  type IndexFlags,
  type OutputFlags,
  type PipelineFlags,
  positiveInt,
} from '../options.js';
import { formatFileError, formatIdentifyImage, formatIdentifyVideo } from '../output/format.js';
import { createRunContext, EXIT } from '../run-context.js';

interface IdentifyFlags extends PipelineFlags, IndexFlags, OutputFlags {
  topK?: number;
  frames?: number;
}

export function identifyCommand(): Command {
  const command = new Command('identify')
    .summary('identify the performers in images and videos against the face index')
    .description(
      'Images: every face and its nearest performers (the best match only when close enough, else "unknown").\n' +
        'Videos: frames are sampled evenly, faces grouped into people across frames, and each person matched.\n' +
        'With --json, prints one JSON object per file (in the order given). Models and index load once for all files.',
    )
    .argument('<files...>', 'images (JPEG, PNG, WebP) and videos (mp4, mkv, webm, mov, avi, …)')
    .option(
      '--top-k <n>',
      `candidates per face or person (default 5, at most ${CLIENT_LIMITS.maxTopK})`,
      positiveInt('--top-k', CLIENT_LIMITS.maxTopK),
    )
    .option(
      '--frames <n>',
      `frames sampled per video (default 60, at most ${CLIENT_LIMITS.maxSceneFrames})`,
      positiveInt('--frames', CLIENT_LIMITS.maxSceneFrames),
    );
  addIndexOption(command);
  addPipelineOptions(command);
  addOutputOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense identify photo.jpg
  $ stash-sense identify --index ~/idx scene.mp4 --frames 120
  $ stash-sense identify --json shots/*.jpg scene.mkv > results.jsonl`,
    )
    .action(async (files: string[], flags: IdentifyFlags) => {
      const config = configFrom(flags);
      const run = createRunContext({ progress: flags.progress, unit: 'files' });
      const pipeline = await openFacePipeline(config, run.warn);
      const indexStore = new FaceIndexStore(config.indexDir, pipeline.model);
      let failed = 0;
      try {
        const identify = new IdentifyService({ pipeline, indexStore, onWarning: run.warn });
        const lines = identify.identifyFiles(files, {
          topK: flags.topK,
          frames: flags.frames,
          signal: run.signal,
          onProgress: run.progress.onProgress,
        });
        for await (const line of lines) {
          if ('error' in line) failed += 1;
          if (flags.json) await run.progress.print(`${JSON.stringify(line)}\n`);
          else if ('error' in line) run.error(formatFileError(line));
          else if (line.kind === 'video')
            await run.progress.print(`${formatIdentifyVideo(line.file, line)}\n\n`);
          else await run.progress.print(`${formatIdentifyImage(line.file, line)}\n\n`);
        }
      } finally {
        run.close();
        await indexStore.close();
        await pipeline.close();
      }
      process.exitCode = failed > 0 ? EXIT.failed : EXIT.ok;
    });
}
