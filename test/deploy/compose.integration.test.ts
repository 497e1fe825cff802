import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PODMAN_ENV,
  ensureKafkaImage,
  ensureOspreyImage,
  podman,
  run,
} from '../support/container-image';
import { freePort } from '../support/osprey-process';

// deploy/compose/*.yml read by docker-compose (Debian's 1.29, installed by
// scripts/setup-containers.sh): it validates a file against the Compose schema (an unknown key or
// a misspelt condition is an error) and drives podman through its Docker API. The distributed file
// is checked, not run: no ClickHouse server image can be had here (docs/deploy.md).
const EMBEDDED = 'deploy/compose/embedded.yml';
const DISTRIBUTED = 'deploy/compose/distributed.yml';

type Compose = {
  services: Record<
    string,
    {
      image?: string;
      command?: string[];
      environment?: Record<string, string | number>;
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test?: string[]; disable?: boolean };
      volumes?: (string | { source: string; target: string })[];
      ports?: unknown[];
      read_only?: boolean;
    }
  >;
  volumes?: Record<string, unknown>;
};

async function composeConfig(file: string, env: Record<string, string> = {}): Promise<Compose> {
  const rendered = await run('docker-compose', ['-f', file, 'config'], {
    env: { ...process.env, ...env },
  });
  // docker-compose (Python) brings PyYAML: YAML → JSON without a Node dependency.
  const json = await new Promise<string>((resolve, reject) => {
    const py = spawn('/usr/bin/python3', [
      '-c',
      'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))',
    ]);
    let out = '';
    py.stdout.on('data', (d: Buffer) => (out += d.toString()));
    py.on('error', reject);
    py.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`python3 ${code}`))));
    py.stdin.end(rendered.stdout);
  });
  return JSON.parse(json) as Compose;
}

describe('deploy/compose/distributed.yml', () => {
  it('is a valid Compose file with every role, healthchecks and the start order', async () => {
    const config = await composeConfig(DISTRIBUTED, { CLICKHOUSE_PASSWORD: 'x' });
    const services = config.services;
    expect(Object.keys(services).sort()).toEqual(
      [
        'clickhouse',
        'collector-1',
        'collector-2',
        'detectors-1',
        'detectors-2',
        'ingest',
        'kafka',
        'migrate',
        'shadow-runner',
        'web',
      ].sort(),
    );
    expect(services.migrate?.command).toEqual(['migrate']);
    expect(services.migrate?.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      clickhouse: { condition: 'service_healthy' },
    });
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') continue;
      expect(service.healthcheck?.test, name).toBeDefined();
      if (name === 'kafka' || name === 'clickhouse') continue;
      expect(service.command, name).toEqual([name.replace(/-\d$/, '')]);
      expect(service.depends_on, name).toEqual({
        migrate: { condition: 'service_completed_successfully' },
      });
      expect(service.read_only, name).toBe(true);
    }
    // One artifact volume for the roles that serve or run models.
    for (const name of ['web', 'detectors-1', 'detectors-2', 'shadow-runner']) {
      expect(JSON.stringify(services[name]?.volumes), name).toContain('/var/lib/osprey/artifacts');
    }
  });

  // No DNS between containers here (podman's CNI backend without the dnsname plugin), so the
  // broker and `osprey migrate` share a pod where `kafka` is 127.0.0.1, as on the compose network.
  it('its Kafka settings run a broker (the local Kafka image) that `osprey migrate` sets up', async () => {
    const [kafkaImage, ospreyImage, config] = await Promise.all([
      ensureKafkaImage(),
      ensureOspreyImage(),
      composeConfig(DISTRIBUTED, { CLICKHOUSE_PASSWORD: 'x' }),
    ]);
    const kafka = config.services.kafka!;
    const pod = `osprey-compose-kafka-${randomBytes(4).toString('hex')}`;
    await podman(['pod', 'create', '--name', pod, '--add-host', 'kafka:127.0.0.1']);
    try {
      const env = Object.entries(kafka.environment ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      await podman(['run', '-d', '--pod', pod, '--name', `${pod}-kafka`, ...env, kafkaImage]);
      const healthy = async () =>
        (
          await podman(['exec', `${pod}-kafka`, ...kafka.healthcheck!.test!.slice(1)], {
            allowFailure: true,
          })
        ).code === 0;
      const deadline = Date.now() + 120_000;
      while (!(await healthy())) {
        if (Date.now() > deadline) {
          const logs = await podman(['logs', `${pod}-kafka`], { allowFailure: true });
          throw new Error(
            `the broker never passed its health check:\n${logs.stdout}${logs.stderr}`,
          );
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      const migrate = await podman([
        'run',
        '--rm',
        '--pod',
        pod,
        '--read-only',
        '--tmpfs',
        '/tmp',
        '-e',
        `KAFKA_BROKERS=${config.services.migrate!.environment!.KAFKA_BROKERS}`,
        ospreyImage,
        'migrate',
      ]);
      expect(migrate.stdout).toContain('kafka topics are in place on kafka:9092');
    } finally {
      await podman(['pod', 'rm', '-f', '-t', '2', pod], { allowFailure: true });
    }
  }, 900_000);

  it('refuses to start without a ClickHouse password', async () => {
    const env = { ...process.env };
    delete env.CLICKHOUSE_PASSWORD;
    const result = await run('docker-compose', ['-f', DISTRIBUTED, 'config', '-q'], {
      env,
      allowFailure: true,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('set CLICKHOUSE_PASSWORD');
  });
});

describe('deploy/compose/embedded.yml', () => {
  const project = `osprey-compose-test-${randomBytes(4).toString('hex')}`;
  let service: ChildProcess | undefined;
  let dockerHost = '';
  let composeEnv: NodeJS.ProcessEnv = {};

  afterAll(async () => {
    if (dockerHost) {
      await run('docker-compose', ['-p', project, '-f', EMBEDDED, 'down', '-v', '-t', '5'], {
        env: composeEnv,
        allowFailure: true,
      });
    }
    service?.kill('SIGTERM');
  });

  it('is one service with one volume', async () => {
    const config = await composeConfig(EMBEDDED);
    expect(Object.keys(config.services)).toEqual(['osprey']);
    expect(Object.keys(config.volumes ?? {})).toEqual(['osprey-data']);
    expect(config.services.osprey?.command).toEqual(['start', '--demo']);
  });

  it('`up` serves the demo, healthy, from the built image', async () => {
    const image = await ensureOspreyImage();
    // docker-compose talks to podman's Docker-compatible API on a socket of this test's own.
    const socket = join(mkdtempSync(join(tmpdir(), 'osprey-podman-')), 'podman.sock');
    dockerHost = `unix://${socket}`;
    service = spawn('podman', ['system', 'service', '--time=0', dockerHost], {
      env: PODMAN_ENV,
      stdio: 'ignore',
    });
    const port = await freePort();
    composeEnv = {
      ...PODMAN_ENV,
      DOCKER_HOST: dockerHost,
      OSPREY_IMAGE: image,
      OSPREY_PUBLISH: `127.0.0.1:${port}`,
      OSPREY_API_KEY: `osp_compose_test_${randomBytes(12).toString('hex')}`,
    };
    for (let i = 0; ; i++) {
      const ping = await run('docker-compose', ['-p', project, '-f', EMBEDDED, 'ps'], {
        env: composeEnv,
        allowFailure: true,
      });
      if (ping.code === 0) break;
      if (i > 50) throw new Error(`podman system service did not answer:\n${ping.stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await run('docker-compose', ['-p', project, '-f', EMBEDDED, 'up', '-d', '--no-build'], {
      env: composeEnv,
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        const logs = await run('docker-compose', ['-p', project, '-f', EMBEDDED, 'logs'], {
          env: composeEnv,
          allowFailure: true,
        });
        throw new Error(`no /healthz from the compose service:\n${logs.stdout}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const models = await fetch(`${url}/api/v1/models`, {
      headers: { authorization: `Bearer ${composeEnv.OSPREY_API_KEY}` },
    });
    expect(models.status).toBe(200);
  }, 900_000);
});
