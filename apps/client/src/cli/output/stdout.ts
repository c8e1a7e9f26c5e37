// stdout carries only results; these writers wait when the pipe is full so large batches stay in memory bounds.

export async function writeOut(chunk: string, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

/** One JSON object per line (JSON Lines). */
export function writeJsonLine(value: unknown, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  return writeOut(`${JSON.stringify(value)}\n`, stream);
}

export function writeLine(text: string, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  return writeOut(`${text}\n`, stream);
}
