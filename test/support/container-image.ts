import { execFile } from 'node:child_process';
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './osprey-process';

/** The image the tests build and run (the podman image store is shared by the test files). */
export const OSPREY_TEST_IMAGE = 'localhost/osprey:test';
/** Node 20 on the local debootstrap base, standing in for node:20-bookworm-slim (no registry). */
export const NODE_BASE_IMAGE = 'localhost/osprey-node:20';

const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** podman with the project's settings (deploy/containers/containers.conf), not the machine's. */
export const PODMAN_ENV = {
  ...process.env,
  CONTAINERS_CONF: join(REPO_ROOT, 'deploy', 'containers', 'containers.conf'),
};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; rejects on a non-zero exit unless `allowFailure`. */
export function run(
  file: string,
  args: string[],
  opts: { allowFailure?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: REPO_ROOT,
        env: opts.env ?? PODMAN_ENV,
        timeout: opts.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        if (code !== 0 && !opts.allowFailure) {
          reject(new Error(`${file} ${args.join(' ')} exited with ${code}:\n${stderr || stdout}`));
        } else {
          resolve({ code, stdout, stderr });
        }
      },
    );
  });
}

/** `podman …` with the project's containers.conf. */
export function podman(
  args: string[],
  opts: { allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run('podman', args, opts);
}

/**
 * Builds deploy/docker/Dockerfile FROM the local Node base and returns the image reference. One
 * build at a time across test files (a lock file); a second caller in the same run finds every
 * layer cached and returns in seconds. Installs podman and the bases first if they are missing.
 */
export async function ensureOspreyImage(): Promise<string> {
  if ((await podman(['image', 'exists', NODE_BASE_IMAGE], { allowFailure: true })).code !== 0) {
    await run('bash', ['scripts/setup-containers.sh'], { env: process.env });
  }
  return withLock(join(REPO_ROOT, 'build', 'osprey-image.lock'), async () => {
    await podman(
      [
        'build',
        '--format',
        'docker', // the OCI format drops HEALTHCHECK
        '--layers',
        '--build-arg',
        `BASE_IMAGE=${NODE_BASE_IMAGE}`,
        // npm trusts what this machine trusts (e.g. a TLS-inspecting proxy's CA), mounted into
        // the build's RUN steps only, never copied into the image.
        '-v',
        `${HOST_CA_BUNDLE}:/run/host-ca-certificates.crt:ro`,
        '--build-arg',
        'NODE_EXTRA_CA_CERTS=/run/host-ca-certificates.crt',
        '-f',
        'deploy/docker/Dockerfile',
        '-t',
        OSPREY_TEST_IMAGE,
        '.',
      ],
      { timeoutMs: 900_000 },
    );
    return OSPREY_TEST_IMAGE;
  });
}

async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  await run('mkdir', ['-p', join(path, '..')], { env: process.env });
  for (;;) {
    try {
      closeSync(openSync(path, 'wx'));
      writeFileSync(path, String(process.pid));
      break;
    } catch {
      if (!holderAlive(path)) {
        unlinkSync(path);
        continue;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await work();
  } finally {
    unlinkSync(path);
  }
}

function holderAlive(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (!pid) return true; // just created, pid not written yet
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The test-only Kafka image (deploy/kafka/Containerfile) from the jars deploy/kafka fetches. */
export const KAFKA_TEST_IMAGE = 'localhost/osprey-kafka:test';

export async function ensureKafkaImage(): Promise<string> {
  await run('bash', ['deploy/kafka/kafka.sh', 'jars'], { env: process.env });
  return withLock(join(REPO_ROOT, 'build', 'kafka-image.lock'), async () => {
    await podman([
      'build',
      '--format',
      'docker',
      '--layers',
      '-f',
      'deploy/kafka/Containerfile',
      '-t',
      KAFKA_TEST_IMAGE,
      'deploy/kafka',
    ]);
    return KAFKA_TEST_IMAGE;
  });
}
