/** An input (image, video, URL) that cannot be read or decoded. `file` names it; the message says what to do. */
export class InputError extends Error {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${describeInput(file)}: ${problem}`, options);
    this.name = 'InputError';
    this.file = file;
  }
}

/** Names an input in messages; an URL loses its query string, which may carry an API key. */
export function describeInput(file: string): string {
  if (/^https?:\/\//i.test(file)) {
    try {
      const url = new URL(file);
      return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
    } catch {
      return file;
    }
  }
  return file;
}
