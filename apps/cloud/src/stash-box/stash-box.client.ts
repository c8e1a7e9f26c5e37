import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

/** The stash-box could not be asked (network, timeout, 5xx, auth): the work is retried later, never dropped. */
export class StashBoxUnavailableError extends Error {
  constructor(
    readonly endpointUrl: string,
    reason: string,
  ) {
    super(`stash-box ${endpointUrl} unavailable: ${reason}`);
    this.name = 'StashBoxUnavailableError';
  }
}

export interface StashBoxEndpointRef {
  key: string;
  graphqlUrl: string;
}

/** Minimal GraphQL-over-HTTP client for stash-boxes (`ApiKey` header, as stash-box expects). */
@Injectable()
export class StashBoxClient {
  constructor(private readonly config: AppConfig) {}

  async request<T>(
    endpoint: StashBoxEndpointRef,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<T> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    const apiKey = this.config.stashBox.apiKeys[endpoint.key];
    if (apiKey) headers.ApiKey = apiKey;
    let response: Response;
    try {
      response = await fetch(endpoint.graphqlUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.config.stashBox.timeoutMs),
      });
    } catch (err) {
      const reason =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${this.config.stashBox.timeoutMs} ms`
          : (err as Error).message;
      throw new StashBoxUnavailableError(endpoint.graphqlUrl, reason);
    }
    if (!response.ok) {
      throw new StashBoxUnavailableError(endpoint.graphqlUrl, `HTTP ${response.status}`);
    }
    let body: { data?: T; errors?: { message: string }[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new StashBoxUnavailableError(endpoint.graphqlUrl, 'answer is not JSON');
    }
    if (body.errors?.length) {
      throw new StashBoxUnavailableError(
        endpoint.graphqlUrl,
        `GraphQL error: ${body.errors.map((e) => e.message).join('; ')}`,
      );
    }
    if (!body.data) throw new StashBoxUnavailableError(endpoint.graphqlUrl, 'answer has no data');
    return body.data;
  }
}
