import { Command } from 'commander';
import { FacesService } from '../../services/faces.service.js';
import { openFacePipeline } from '../../services/pipeline.js';
import {
  addOutputOptions,
  addPipelineOptions,
  configFrom,
  type OutputFlags,
  type PipelineFlags,
} from '../options.js';
import { formatFaces, formatFileError } from '../output/format.js';
import { createRunContext, EXIT } from '../run-context.js';

export function facesCommand(): Command {
  const command = new Command('faces')
    .summary('detect faces in images: boxes, landmarks, quality and embeddings')
    .description(
      'Detects every face in each image and prints its box, detector score, five landmarks and quality.\n' +
        'With --json, prints one JSON object per image (in the order given) including each face embedding.\n' +
        'An unreadable image is reported and the others are still processed; the exit code is then 1.',
    )
    .argument('<images...>', 'image files (JPEG, PNG, WebP)');
  addPipelineOptions(command);
  addOutputOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ stash-sense faces photo.jpg
  $ stash-sense faces --json shots/*.jpg > faces.jsonl
  $ stash-sense faces --json --threads 1 a.png | jq '.faces[].quality'`,
    )
    .action(async (images: string[], flags: PipelineFlags & OutputFlags) => {
      const config = configFrom(flags);
      const run = createRunContext({ progress: flags.progress, unit: 'images' });
      const pipeline = await openFacePipeline(config, run.warn);
      let failed = 0;
      try {
        const faces = new FacesService(pipeline);
        for await (const line of faces.detectFacesInFiles(images, {
          onProgress: run.progress.onProgress,
          signal: run.signal,
        })) {
          if ('error' in line) failed += 1;
          if (flags.json) await run.progress.print(`${JSON.stringify(line)}\n`);
          else if ('error' in line) run.error(formatFileError(line));
          else await run.progress.print(`${formatFaces(line.file, line)}\n\n`);
        }
      } finally {
        run.close();
        await pipeline.close();
      }
      process.exitCode = failed > 0 ? EXIT.failed : EXIT.ok;
    });
}
