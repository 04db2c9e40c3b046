import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Stops the server and drops its open connections. */
  stop(): Promise<void>;
}

/**
 * A verdaccio registry on 127.0.0.1 at a free port, storing under `dir` (config there too). It
 * serves and accepts only `@tunekit/*` packages, from anyone, and has no uplink, so nothing
 * published to it can reach the real registry. It runs in this process, so a test that uses it
 * must not block its event loop (no execFileSync while it runs).
 */
export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  await mkdir(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'uplinks: {}',
      'packages:',
      "  '@tunekit/*':",
      '    access: $all',
      '    publish: $all',
      'web: { enable: false }',
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  const server = await runServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
