import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOspreyImage, podman } from '../support/container-image';
import { ensureHelm, renderValid, type K8sObject, type Manifest } from '../support/helm';
import { getJson } from '../support/http';
import { freePort } from '../support/osprey-process';

// The chart's embedded mode, rendered as a cluster would get it, run by `podman kube play` on the
// locally built image (no cluster can run here). kube play takes Pods and claims but not
// StatefulSets or Secrets, so the test does what the StatefulSet controller and the kubelet do:
// the pod template becomes pod <name>-0 with claim data-<name>-0, and the chart's Secret becomes a
// podman secret its secretKeyRefs resolve against. Nothing else in the rendered pod changes, except
// a hostPort on 127.0.0.1 to reach it.
const suffix = randomBytes(4).toString('hex');
const release = `osprey-pod-${suffix}`;
const apiKey = `osp_helm_pod_${suffix}_0000000001`;
const workDir = mkdtempSync(join(tmpdir(), 'osprey-kube-play-'));
const cleanup: string[][] = [];
let podName: string;
let port: number;

beforeAll(async () => {
  const [image] = await Promise.all([ensureOspreyImage(), ensureHelm()]);
  const [repository, tag] = image.split(/:(?=[^:]+$)/);
  const manifests = await renderValid(
    ['values-embedded.yaml'],
    {
      'image.repository': repository!,
      'image.tag': tag!,
      'image.pullPolicy': 'Never',
      'secrets.apiKey': apiKey,
      // Small enough for a shared 2-core machine.
      'embedded.resources.requests.cpu': '250m',
      'embedded.resources.requests.memory': '512Mi',
    },
    release,
  );
  port = await freePort();
  const secret = only(manifests, 'Secret');
  await podmanSecret(secret);
  const { pod, claim } = podFromStatefulSet(only(manifests, 'StatefulSet'), port);
  podName = pod.metadata.name;
  cleanup.push(
    ['pod', 'rm', '-f', '-t', '0', podName],
    ['volume', 'rm', '-f', claim.metadata.name],
  );
  const kubeFile = join(workDir, 'embedded.yaml');
  writeFileSync(kubeFile, [claim, pod].map((o) => JSON.stringify(o)).join('\n---\n'));
  await podman(['kube', 'play', kubeFile]);
}, 1_800_000);

afterAll(async () => {
  for (const args of cleanup.reverse()) await podman(args, { allowFailure: true });
});

function only(manifests: Manifest[], kind: string): K8sObject {
  const found = manifests.filter((m) => m.object.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!.object;
}

/**
 * The chart's Secret as a podman secret of the same name, which kube play resolves secretKeyRef
 * against: podman 4.3 reads it as a JSON map of key to base64 value (a Secret's `data`).
 */
async function podmanSecret(secret: K8sObject): Promise<void> {
  const data = Object.fromEntries(
    Object.entries(secret.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  const file = join(workDir, 'secret.json');
  writeFileSync(file, JSON.stringify(data));
  cleanup.push(['secret', 'rm', secret.metadata.name]);
  await podman(['secret', 'create', secret.metadata.name, file]);
}

/** What the StatefulSet controller makes of replica 0: a pod, and its claim from the template. */
function podFromStatefulSet(statefulSet: K8sObject, hostPort: number) {
  const name = `${statefulSet.metadata.name}-0`;
  const spec = structuredClone(statefulSet.spec!.template!.spec);
  const volumeClaims = statefulSet.spec!.volumeClaimTemplates ?? [];
  expect(volumeClaims).toHaveLength(1);
  const template = volumeClaims[0]!;
  const claim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `${template.metadata.name}-${name}` },
    spec: template.spec,
  };
  spec.volumes = [
    ...(spec.volumes ?? []),
    { name: template.metadata.name, persistentVolumeClaim: { claimName: claim.metadata.name } },
  ];
  const http = spec.containers[0]!.ports!.find((p) => p.name === 'http')!;
  http.hostPort = hostPort;
  http.hostIP = '127.0.0.1';
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: statefulSet.spec!.template!.metadata.labels },
    spec,
  };
  return { pod, claim };
}

describe('embedded mode under podman kube play', () => {
  it('answers /healthz from the rendered pod', async () => {
    const deadline = Date.now() + 240_000;
    let last = '';
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) break;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) {
        const logs = await podman(['logs', `${podName}-osprey`], { allowFailure: true });
        throw new Error(`no /healthz within 240 s (${last}):\n${logs.stdout}${logs.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, 300_000);

  it('takes its API key from the Secret through secretKeyRef', async () => {
    const url = `http://127.0.0.1:${port}/api/v1/models`;
    expect((await fetch(url)).status).toBe(401);
    expect(Array.isArray(await getJson<unknown[]>(url, apiKey))).toBe(true);
  });

  it('runs the container as the pod securityContext says', async () => {
    const { stdout } = await podman([
      'container',
      'inspect',
      `${podName}-osprey`,
      '--format',
      '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}',
    ]);
    const [user, readOnly] = stdout.trim().split(' ');
    expect(user).toMatch(/^1000(:1000)?$/);
    expect(readOnly).toBe('true');
  });
});
