// Starting and stopping the sidecar: models loaded once, index opened (or reported missing), HTTP server with
// timeouts, graceful shutdown.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT_LIMITS, type ClientConfig } from '../config.js';
import { IndexUpdater } from '../index/index-updater.js';
import { FaceIndexStore } from '../services/face-index-store.js';
import { IdentifyService } from '../services/identify.service.js';
import { openFacePipeline } from '../services/pipeline.js';
import { onTerminationSignals } from '../services/signals.js';
import { WorkQueue } from '../services/work-queue.js';
import { stashClientFromConfig } from '../stash/stash-client.js';
import { StashSceneService } from '../stash/stash-scene.service.js';
import { StashSenseCompatService } from '../stash/stash-sense-compat.service.js';
import { createSidecarApp } from './app.js';
import { type SidecarLogger, stderrLogger } from './logger.js';

/** Time limits of the HTTP server: a 60-frame scene takes seconds; 10 minutes bounds a stuck request. */
const HTTP_TIMEOUTS = { requestMs: 10 * 60_000, headersMs: 30_000, keepAliveMs: 5_000 } as const;

export interface RunningSidecar {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), releases the models. */
  close(): Promise<void>;
}

export async function startSidecar(
  config: ClientConfig,
  options: { log?: SidecarLogger; onWarning?: (message: string) => void } = {},
): Promise<RunningSidecar> {
  const log = options.log ?? stderrLogger;
  const pipeline = await openFacePipeline(config, options.onWarning ?? ((m) => log.info(`warning: ${m}`)));
  const indexStore = new FaceIndexStore(config.indexDir, pipeline.model);
  const queue = new WorkQueue(1, CLIENT_LIMITS.maxQueuedAnalyses);
  const identify = new IdentifyService({
    pipeline,
    indexStore,
    queue,
    maxImageBytes: config.maxUploadBytes,
    onWarning: (message) => log.info(`warning: ${message}`),
  });

  const index = await indexStore.status();
  if (index.loaded)
    log.info(`face index ${config.indexDir}: ${index.performerCount} performers, ${index.faceCount} faces`);
  else log.info(`warning: ${index.problem}`);

  const updater = new IndexUpdater({
    config,
    model: pipeline.model.name,
    log: (line) => log.info(`index update: ${line}`),
  });
  const stash = stashClientFromConfig(config);
  const stashScenes = stash
    ? new StashSceneService({
        stash,
        pipeline,
        indexStore,
        queue,
        onWarning: (message) => log.info(`warning: ${message}`),
      })
    : null;
  if (stash) log.info(`Stash at ${stash.baseUrl}${config.stashApiKey ? ' (with API key)' : ''}`);
  if (config.sidecarToken) log.info('every request must carry the sidecar token (STASH_SENSE_SIDECAR_TOKEN)');
  const compat = new StashSenseCompatService({
    stash,
    stashScenes,
    identify,
    indexStore,
    updater,
    maxImageBytes: config.maxUploadBytes,
    log: (line) => log.info(line),
  });
  const app = createSidecarApp(
    {
      identify,
      indexStore,
      updater,
      queue,
      model: pipeline.model,
      device: pipeline.device,
      stashScenes,
      compat,
      cloud: { url: config.cloudUrl, apiKey: process.env.STASH_SENSE_API_KEY?.trim() || undefined },
    },
    {
      maxUploadBytes: config.maxUploadBytes,
      log,
      corsOrigins: stash ? [new URL(stash.baseUrl).origin] : [],
      ...(config.sidecarToken ? { token: config.sidecarToken } : {}),
    },
  );
  const server = createServer(app);
  server.requestTimeout = HTTP_TIMEOUTS.requestMs;
  server.headersTimeout = HTTP_TIMEOUTS.headersMs;
  server.keepAliveTimeout = HTTP_TIMEOUTS.keepAliveMs;

  try {
    await listen(server, config.host, config.port);
  } catch (error) {
    await pipeline.close();
    await indexStore.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${urlHost}:${port}`;
  log.info(`stash-sense sidecar listening on ${url} (device ${pipeline.device}, ${config.threads} threads)`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), CLIENT_LIMITS.shutdownGraceMs);
      await stopped;
      clearTimeout(grace);
      await indexStore.close();
      await pipeline.close();
    })());

  return { url, host: config.host, port, close };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} on ${host} is already in use: stop the other sidecar or pass --port`));
      } else if (error.code === 'EADDRNOTAVAIL') {
        reject(
          new Error(`cannot listen on ${host}: no such local address; use --host 127.0.0.1 or a local IP`),
        );
      } else if (error.code === 'EACCES') {
        reject(new Error(`not allowed to listen on ${host}:${port}; use a port above 1023`));
      } else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * On SIGTERM or SIGINT: close gracefully, then exit 0. A second signal (a second later or more) exits at once.
 * Returns a function that removes the handlers.
 */
export function closeOnSignals(sidecar: RunningSidecar, log: SidecarLogger = stderrLogger): () => void {
  return onTerminationSignals(
    (signal) => {
      log.info(`${signal}: finishing in-flight requests, then stopping`);
      sidecar.close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error(`shutdown failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    },
    (signal) => {
      log.info(`${signal} again: exiting now`);
      process.exit(1);
    },
  );
}
