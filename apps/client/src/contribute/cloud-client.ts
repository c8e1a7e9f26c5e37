// The cloud's contribution API as the client uses it: POST /v1/contributions with an API key (scope `contribute`).
import {
  ErrorBodySchema,
  type ContributionReceipt,
  ContributionReceiptSchema,
  type ContributionRequest,
} from '@stash-sense/contracts';

export class CloudRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'CloudRequestError';
  }
}

export interface CloudClientOptions {
  serverUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

export async function postContribution(
  request: ContributionRequest,
  options: CloudClientOptions,
): Promise<ContributionReceipt> {
  const url = new URL('/v1/contributions', options.serverUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (error) {
    throw new CloudRequestError(`cannot reach the cloud at ${url.origin}: ${(error as Error).message}`, null);
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text.slice(0, 500);
    const parsed = ErrorBodySchema.safeParse(safeJson(text));
    if (parsed.success) {
      detail = parsed.data.message;
      if (parsed.data.details !== undefined)
        detail += ` ${JSON.stringify(parsed.data.details).slice(0, 500)}`;
    }
    const hint =
      res.status === 401
        ? ' (check the API key)'
        : res.status === 403
          ? ' (the key needs the contribute scope)'
          : '';
    throw new CloudRequestError(
      `the cloud refused the contribution: ${res.status} ${detail}${hint}`,
      res.status,
    );
  }
  return ContributionReceiptSchema.parse(JSON.parse(text));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
