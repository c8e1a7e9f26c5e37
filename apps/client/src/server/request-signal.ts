import type { Request, Response } from 'express';
import { CancelledError } from '../services/errors.js';

/** An AbortSignal that fires when the client goes away before the answer is sent (stops frame sampling early). */
export function requestSignal(_req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new CancelledError('the client closed the connection'));
  });
  return controller.signal;
}
