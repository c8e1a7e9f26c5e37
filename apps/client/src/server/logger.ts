import type { RequestHandler } from 'express';

export interface SidecarLogger {
  info(message: string): void;
  error(message: string): void;
}

/** One line per message on stderr, with an ISO timestamp. */
export const stderrLogger: SidecarLogger = {
  info: (message) => process.stderr.write(`${new Date().toISOString()} ${message}\n`),
  error: (message) => process.stderr.write(`${new Date().toISOString()} ERROR ${message}\n`),
};

export const silentLogger: SidecarLogger = { info: () => {}, error: () => {} };

/** `POST /identify 200 412 ms` once each response is finished or aborted. */
export function requestLog(log: SidecarLogger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('close', () => {
      const ms = Math.round(performance.now() - started);
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      log.info(`${req.method} ${req.originalUrl} ${status} ${ms} ms`);
    });
    next();
  };
}
