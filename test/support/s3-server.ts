import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const S3RVER_DIR = dirname(require.resolve('s3rver/package.json'));
/** The s3rver release the tests ran against (printed in failures, named in docs/index-distribution.md). */
export const S3RVER_VERSION = (require('s3rver/package.json') as { version: string }).version;

/**
 * A real S3-compatible server of the test's own: s3rver (the S3 REST API in Node, objects on disk) in its own
 * process on a free loopback port, path-style, with the given buckets. Its one account is S3RVER/S3RVER; it
 * refuses unknown access keys but does not check SigV4 signatures (s3rver 3.x leaves that unimplemented).
 */
export class S3Server {
  static readonly accessKeyId = 'S3RVER';
  static readonly secretAccessKey = 'S3RVER';

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly endpoint: string,
  ) {}

  static async start(buckets: readonly string[]): Promise<S3Server> {
    const dir = await mkdtemp(join(tmpdir(), 'ss-s3rver-'));
    const args = [join(S3RVER_DIR, 'bin/s3rver.js'), '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent'];
    args.push('--no-vhost-buckets');
    for (const bucket of buckets) args.push('--configure-bucket', bucket);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start in 15 s:\n${output}`)), 15_000);
      const read = (chunk: Buffer) => {
        output += chunk;
        const listening = /S3rver listening on ([\d.]+):(\d+)/.exec(output);
        if (listening) {
          clearTimeout(timer);
          resolve(`http://${listening[1]}:${listening[2]}`);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver ${S3RVER_VERSION} exited (${code}):\n${output}`));
      });
    });
    return new S3Server(child, dir, endpoint);
  }

  /** The cloud's settings for index storage in `bucket` of this server. */
  env(bucket: string, prefix = 'indexes'): Record<string, string> {
    return {
      INDEX_STORAGE: 's3',
      INDEX_S3_ENDPOINT: this.endpoint,
      INDEX_S3_REGION: 'us-east-1',
      INDEX_S3_BUCKET: bucket,
      INDEX_S3_PREFIX: prefix,
      INDEX_S3_ACCESS_KEY_ID: S3Server.accessKeyId,
      INDEX_S3_SECRET_ACCESS_KEY: S3Server.secretAccessKey,
      INDEX_S3_FORCE_PATH_STYLE: 'true',
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
