import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHART,
  ensureHelm,
  helm,
  renderChart,
  renderValid,
  validateManifests,
  type Container,
  type K8sObject,
  type Manifest,
  type PodSpec,
} from '../support/helm';

// deploy/helm/osprey rendered with each of its values files, every manifest decoded strictly into
// the Kubernetes API's Go types (deploy/helm/validate), and what a cluster operator relies on
// asserted. The embedded pod itself runs under podman in helm-embedded-pod.integration.test.ts.
// Each values file of the chart's folder, and the Secret its pods read keys and passwords from.
const VALUES = {
  default: { files: [], secret: 'osprey' },
  embedded: { files: ['values-embedded.yaml'], secret: 'osprey' },
  tls: { files: ['values-tls.yaml'], secret: 'osprey-secrets' },
};
const ROLES = ['collector', 'ingest', 'web', 'detectors', 'shadow-runner'];
const KAFKA_ROLES = ['collector', 'ingest', 'detectors', 'shadow-runner'];
// The roles that read or write uploaded ONNX models.
const ARTIFACT_ROLES = ['web', 'detectors', 'shadow-runner'];
const SECRET_VARIABLES = [
  'OSPREY_SECRET_KEY',
  'OSPREY_API_KEY',
  'OSPREY_ADMIN_PASSWORD',
  'CLICKHOUSE_PASSWORD',
  'KAFKA_SASL_PASSWORD',
  'SMTP_URL',
];

beforeAll(async () => {
  await ensureHelm();
}, 1_200_000);

function ofKind(manifests: Manifest[], kind: string): K8sObject[] {
  return manifests.filter((m) => m.object.kind === kind).map((m) => m.object);
}

function workloads(manifests: Manifest[]): K8sObject[] {
  return manifests
    .map((m) => m.object)
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
}

function podSpec(workload: K8sObject): PodSpec {
  const spec = workload.spec?.template?.spec;
  if (!spec) throw new Error(`${workload.kind} ${workload.metadata.name} has no pod template`);
  return spec;
}

function env(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

/** The Secret a file path lies in, through the container's mounts and the pod's volumes. */
function secretMountedAt(pod: PodSpec, container: Container, file: string): string | undefined {
  const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
  return pod.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName;
}

describe.each(Object.entries(VALUES))('chart with %s values', (_name, { files, secret }) => {
  let manifests: Manifest[];
  beforeAll(async () => {
    manifests = await renderValid(files);
  }, 120_000);

  it('passes helm lint --strict', async () => {
    const args = ['lint', CHART, '--strict'];
    for (const file of files) args.push('-f', `${CHART}/${file}`);
    const { stdout } = await helm(args);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it('renders only manifests the Kubernetes API types accept, each workload with a Service', () => {
    expect(workloads(manifests).length).toBeGreaterThan(0);
    const services = ofKind(manifests, 'Service').map((s) => s.metadata.name);
    for (const w of workloads(manifests)) expect(services).toContain(w.metadata.name);
  });

  it('runs every container non-root, read-only, without privilege escalation or capabilities', () => {
    for (const workload of workloads(manifests)) {
      const pod = podSpec(workload);
      expect(pod.securityContext?.runAsNonRoot, workload.metadata.name).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      for (const c of pod.containers) {
        expect(c.securityContext, `${workload.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
        // The directories Osprey writes are volumes, not the read-only root filesystem.
        for (const dir of [env(c, 'OSPREY_DATA_DIR')!, env(c, 'OSPREY_ARTIFACT_DIR')]) {
          if (dir === undefined) continue;
          const mounts = c.volumeMounts?.filter((m) => `${dir}/`.startsWith(`${m.mountPath}/`));
          expect(mounts, `${workload.metadata.name}: ${dir}`).not.toEqual([]);
        }
      }
    }
  });

  it('probes /healthz on the port each role serves it on (OSPREY_PORT)', () => {
    for (const workload of workloads(manifests)) {
      for (const c of podSpec(workload).containers) {
        const port = c.ports?.find((p) => p.name === 'http');
        expect(port?.containerPort).toBe(Number(env(c, 'OSPREY_PORT')));
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          expect(probe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
        }
      }
    }
  });

  it('reads keys and passwords from the Secret by reference, never as values in env', () => {
    for (const workload of workloads(manifests)) {
      for (const c of podSpec(workload).containers) {
        const secrets = (c.env ?? []).filter((e) => SECRET_VARIABLES.includes(e.name));
        expect(secrets.map((e) => e.name)).toContain('OSPREY_SECRET_KEY');
        for (const e of secrets) {
          expect(e.value, e.name).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef?.name, e.name).toBe(secret);
        }
      }
    }
  });
});

describe('distributed (default values)', () => {
  let manifests: Manifest[];
  beforeAll(async () => {
    manifests = await renderValid([]);
  }, 120_000);

  it('runs one Deployment per role, each with its role as the command and a PDB', () => {
    const deployments = ofKind(manifests, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ROLES.map((r) => `osprey-${r}`).sort(),
    );
    for (const d of deployments) {
      const role = d.metadata.labels?.['app.kubernetes.io/component'];
      expect(podSpec(d).containers[0]!.args).toEqual([role]);
    }
    const pdbs = ofKind(manifests, 'PodDisruptionBudget');
    expect(pdbs.map((p) => p.metadata.name).sort()).toEqual(
      deployments.map((d) => d.metadata.name).sort(),
    );
    for (const pdb of pdbs) {
      const deployment = deployments.find((d) => d.metadata.name === pdb.metadata.name)!;
      expect(pdb.spec?.selector?.matchLabels).toEqual(deployment.spec?.selector?.matchLabels);
    }
    expect(ofKind(manifests, 'StatefulSet')).toEqual([]);
  });

  it('scales the collector with an HPA on CPU, which then owns its replica count', () => {
    const [hpa, ...others] = ofKind(manifests, 'HorizontalPodAutoscaler');
    expect(others).toEqual([]);
    expect(hpa!.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'osprey-collector',
    });
    expect(hpa!.spec?.metrics).toEqual([
      expect.objectContaining({
        type: 'Resource',
        resource: expect.objectContaining({ name: 'cpu' }),
      }),
    ]);
    const collector = ofKind(manifests, 'Deployment').find(
      (d) => d.metadata.name === 'osprey-collector',
    );
    expect(collector!.spec?.replicas).toBeUndefined();
  });

  it('points every role at ClickHouse, the Kafka roles at the brokers, the model roles at one artifacts claim', () => {
    for (const d of ofKind(manifests, 'Deployment')) {
      const role = d.metadata.labels!['app.kubernetes.io/component']!;
      const pod = podSpec(d);
      const c = pod.containers[0]!;
      expect(env(c, 'CLICKHOUSE_URL')).toBe('http://clickhouse:8123');
      expect(env(c, 'OSPREY_CLICKHOUSE_CLUSTER')).toBeUndefined();
      expect(env(c, 'KAFKA_BROKERS')).toBe(KAFKA_ROLES.includes(role) ? 'kafka:9092' : undefined);
      const artifacts = c.volumeMounts?.find((m) => m.mountPath === env(c, 'OSPREY_ARTIFACT_DIR'));
      const volume = pod.volumes?.find((v) => v.name === artifacts?.name);
      expect(volume?.persistentVolumeClaim?.claimName, role).toBe(
        ARTIFACT_ROLES.includes(role) ? 'osprey-artifacts' : undefined,
      );
    }
    expect(ofKind(manifests, 'PersistentVolumeClaim').map((p) => p.metadata.name)).toEqual([
      'osprey-artifacts',
    ]);
  });

  it('keeps secret values in the Secret alone', async () => {
    const marker = 'sasl-password-that-must-stay-in-the-secret';
    const withSecrets = await renderValid([], {
      'kafka.sasl.enabled': 'true',
      'kafka.sasl.username': 'osprey',
      'secrets.kafkaSaslPassword': marker,
      'secrets.clickhousePassword': `${marker}-clickhouse`,
    });
    const holders = withSecrets.filter((m) => JSON.stringify(m.object).includes(marker));
    expect(holders.map((m) => m.object.kind)).toEqual(['Secret']);
    expect(holders[0]!.object.stringData).toMatchObject({
      'kafka-sasl-password': marker,
      'clickhouse-password': `${marker}-clickhouse`,
    });
  });
});

describe('embedded values', () => {
  it('runs one StatefulSet replica of `osprey start` with its data on a claim', async () => {
    const manifests = await renderValid(VALUES.embedded.files);
    expect(ofKind(manifests, 'Deployment')).toEqual([]);
    expect(ofKind(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
    const [statefulSet, ...others] = ofKind(manifests, 'StatefulSet');
    expect(others).toEqual([]);
    expect(statefulSet!.spec?.replicas).toBe(1);
    const c = podSpec(statefulSet!).containers[0]!;
    expect(c.args).toEqual(['start', '--demo']);
    expect(env(c, 'CLICKHOUSE_URL')).toBeUndefined();
    expect(env(c, 'KAFKA_BROKERS')).toBeUndefined();
    const [claim] = statefulSet!.spec?.volumeClaimTemplates ?? [];
    const dataMount = c.volumeMounts?.find((m) => m.name === claim?.metadata.name);
    expect(dataMount?.mountPath).toBe(env(c, 'OSPREY_DATA_DIR'));
  });
});

describe('TLS values', () => {
  let manifests: Manifest[];
  beforeAll(async () => {
    manifests = await renderValid(VALUES.tls.files);
  }, 120_000);

  it('mounts each certificate from its Secret where the variable naming it points', () => {
    for (const d of ofKind(manifests, 'Deployment')) {
      const role = d.metadata.labels!['app.kubernetes.io/component']!;
      const pod = podSpec(d);
      const c = pod.containers[0]!;
      const mounted = (variable: string) => secretMountedAt(pod, c, env(c, variable) ?? '');
      expect(mounted('OSPREY_TLS_CERT'), role).toBe('osprey-tls');
      expect(mounted('OSPREY_TLS_KEY'), role).toBe('osprey-tls');
      expect(mounted('CLICKHOUSE_CA_FILE'), role).toBe('clickhouse-ca');
      expect(env(c, 'CLICKHOUSE_URL')).toMatch(/^https:/);
      expect(env(c, 'OSPREY_CLICKHOUSE_CLUSTER'), role).toBe('osprey');
      expect(mounted('SMTP_CA_FILE'), role).toBe(
        ['web', 'detectors'].includes(role) ? 'smtp-ca' : undefined,
      );
      if (KAFKA_ROLES.includes(role)) {
        expect(env(c, 'KAFKA_SSL'), role).toBe('true');
        expect(mounted('KAFKA_SSL_CA_FILE'), role).toBe('kafka-ca');
        expect(env(c, 'KAFKA_SASL_MECHANISM')).toBe('scram-sha-512');
        expect(env(c, 'KAFKA_SASL_USERNAME')).toBe('osprey');
      } else {
        expect(c.env?.filter((e) => e.name.startsWith('KAFKA_'))).toEqual([]);
      }
      for (const m of c.volumeMounts!.filter((m) => m.mountPath.startsWith('/etc/osprey/tls/'))) {
        expect(m.readOnly).toBe(true);
      }
      expect(c.readinessProbe?.httpGet?.scheme).toBe('HTTPS');
    }
    // existingSecret: the chart makes no Secret of its own.
    expect(ofKind(manifests, 'Secret')).toEqual([]);
  });

  it('routes the SDKs to the collector and the rest to web, and scrapes /metrics over HTTPS', () => {
    const [ingress] = ofKind(manifests, 'Ingress');
    const paths = ingress!.spec!.rules![0]!.http.paths.map((p) => [p.path, p.backend.service.name]);
    expect(paths).toEqual([
      ['/v1', 'osprey-collector'],
      ['/', 'osprey-web'],
    ]);
    const [monitor] = ofKind(manifests, 'ServiceMonitor');
    expect(monitor!.spec?.endpoints).toEqual([
      expect.objectContaining({ port: 'http', path: '/metrics', scheme: 'https' }),
    ]);
  });
});

describe('values.schema.json', () => {
  it('refuses a misspelt or unknown value before rendering, naming it', async () => {
    const misspelt = await helm(['template', 'osprey', CHART, '--set', 'kafka.brokerz=k:9092'], {
      allowFailure: true,
    });
    expect(misspelt.code).not.toBe(0);
    expect(misspelt.stderr).toContain("at '/kafka': additional properties 'brokerz' not allowed");
    const mode = await helm(['template', 'osprey', CHART, '--set', 'mode=embeded'], {
      allowFailure: true,
    });
    expect(mode.code).not.toBe(0);
    expect(mode.stderr).toContain("at '/mode'");
  });
});

describe('the manifest validator', () => {
  it('rejects a misspelt field, naming the document and the field’s path', async () => {
    const yaml = await renderChart([]);
    const misspelt = yaml.replace('imagePullPolicy:', 'imagePulPolicy:');
    expect(misspelt).not.toBe(yaml);
    const verdict = await validateManifests(misspelt);
    expect(verdict.code).toBe(1);
    expect(verdict.stderr).toMatch(
      /INVALID apps\/v1 Deployment "osprey-\S+" \(osprey\/templates\/deployments\.yaml\): strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.imagePulPolicy"/,
    );
    expect(verdict.stderr).toContain('1 of ');
  });

  it('rejects a value of the wrong type and a kind it does not know', async () => {
    const yaml = await renderChart([], { 'serviceMonitor.enabled': 'true' });
    const wrongType = yaml.replace(/containerPort: \d+/, 'containerPort: "http"');
    const unknownKind = `${yaml}\n---\napiVersion: v1\nkind: ConfigMapp\nmetadata:\n  name: x\n`;
    const typeVerdict = await validateManifests(wrongType);
    expect(typeVerdict.code).toBe(1);
    expect(typeVerdict.stderr).toMatch(/Deployment .*containerPort.* of type int32/);
    const kindVerdict = await validateManifests(unknownKind);
    expect(kindVerdict.code).toBe(1);
    expect(kindVerdict.stderr).toContain('no kind "ConfigMapp" is registered');
    const monitor = yaml.replace('path: /metrics', 'pathh: /metrics');
    expect((await validateManifests(monitor)).stderr).toContain(
      'unknown field "spec.endpoints[0].pathh"',
    );
  });
});
