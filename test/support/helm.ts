import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from './container-image';
import { REPO_ROOT } from './osprey-process';

/** helm and the manifest validator, built by scripts/setup-helm.sh. */
const BIN = join(REPO_ROOT, '.cache', 'helm', 'bin');
export const CHART = join(REPO_ROOT, 'deploy', 'helm', 'osprey');

/** Builds helm and deploy/helm/validate when missing (a second run returns in a second). */
export async function ensureHelm(): Promise<void> {
  await run('bash', ['scripts/setup-helm.sh'], { env: process.env, timeoutMs: 1_200_000 });
}

export function helm(args: string[], opts: { allowFailure?: boolean } = {}): Promise<RunResult> {
  return run(join(BIN, 'helm'), args, { ...opts, env: process.env });
}

/** `helm template` of the chart with values files of the chart's folder and --set pairs (typed as YAML reads them: true is a boolean). */
export async function renderChart(
  valuesFiles: string[],
  set: Record<string, string> = {},
  release = 'osprey',
): Promise<string> {
  const args = ['template', release, CHART, '--namespace', 'osprey'];
  for (const file of valuesFiles) args.push('-f', join(CHART, file));
  for (const [key, value] of Object.entries(set)) args.push('--set', `${key}=${value}`);
  return (await helm(args)).stdout;
}

/** The validator's verdict on a YAML stream: exit code, and its report (stderr names what is wrong). */
export async function validateManifests(yaml: string, opts: { json?: boolean } = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'osprey-helm-')), 'manifests.yaml');
  writeFileSync(file, yaml);
  return run(join(BIN, 'validate-manifests'), [...(opts.json ? ['-json'] : []), file], {
    env: process.env,
    allowFailure: true,
  });
}

/** The parts of Kubernetes objects the tests read (the validator has checked all of them). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
export interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: string };
}
export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  args?: string[];
  ports?: { name?: string; containerPort: number; hostPort?: number; hostIP?: string }[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  emptyDir?: object;
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
}
export interface PodSpec {
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
  volumes?: Volume[];
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata: { labels?: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string }; spec: object }[];
    scaleTargetRef?: { apiVersion: string; kind: string; name: string };
    metrics?: { type: string; resource?: { name: string } }[];
    endpoints?: { port: string; path: string; scheme?: string }[];
    rules?: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }[];
  };
  stringData?: Record<string, string>;
}
export interface Manifest {
  source: string;
  object: K8sObject;
}

/** Renders, validates strictly against the Kubernetes API types, and returns the objects. */
export async function renderValid(
  valuesFiles: string[],
  set: Record<string, string> = {},
  release = 'osprey',
): Promise<Manifest[]> {
  const yaml = await renderChart(valuesFiles, set, release);
  const verdict = await validateManifests(yaml, { json: true });
  if (verdict.code !== 0) {
    throw new Error(`rendered manifests are invalid:\n${verdict.stderr}`);
  }
  return JSON.parse(verdict.stdout) as Manifest[];
}
