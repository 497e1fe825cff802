import { AutoRefresh } from '@/components/actions/auto-refresh';
import { ModelPicker } from '@/components/actions/model-picker';
import { ui } from '@/components/actions/primitives';
import { Registry } from '@/components/versions/registry';
import { DeploymentTimeline } from '@/components/versions/timeline';
import type { Deployment } from '@/components/versions/types';
import { UploadVersion } from '@/components/versions/upload';
import styles from '@/components/versions/versions.module.css';
import { models } from '@/lib/api/models';
import { actorNames, chooseModel, knownModels } from '@/lib/actions/server-data';
import { abilities, signedInUser } from '@/lib/actions/session';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Versions · Osprey' };

export default async function VersionsPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const can = abilities(await signedInUser());
  const all = await knownModels();
  const model = chooseModel(all, (await props.searchParams).model);
  if (!model) {
    return (
      <div className={ui.page}>
        <h1>Versions</h1>
        <div className={ui.panel}>
          <p className={ui.empty}>
            No models yet. Register one with <code>osprey models push</code> or log predictions with
            the SDK.
          </p>
        </div>
      </div>
    );
  }
  const registry = models();
  const [versions, history, actors] = await Promise.all([
    registry.registry.versions(model),
    registry.deployments.history(model) as Promise<Deployment[]>,
    actorNames(),
  ]);
  const production = history[0]?.version;
  // Rollback targets: earlier production versions, most recent first.
  const rollbackTargets = [
    ...new Set(history.flatMap((d) => [d.version, d.previous_version]).filter(Boolean)),
  ].filter((v) => v !== production && versions.some((x) => x.version === v));
  const prodVersion = versions.find((v) => v.version === production) ?? versions.at(-1);
  const defaultFeatures =
    prodVersion?.input_spec.inputs.length === 1
      ? prodVersion.input_spec.inputs[0]!.features.join(',')
      : '';
  return (
    <div className={ui.page}>
      <PageHeader
        title="Versions"
        crumbs={
          <>
            {model} · production{' '}
            <strong data-testid="production-version">{production ?? 'none'}</strong>
          </>
        }
      >
        <ModelPicker models={all} value={model} />
        <AutoRefresh />
      </PageHeader>
      <div className={styles.layout}>
        <div className={ui.page}>
          <Registry
            model={model}
            versions={versions}
            production={production}
            rollbackTargets={rollbackTargets}
            canEdit={can.edit}
            actors={actors}
          />
          <UploadVersion model={model} defaultFeatures={defaultFeatures} canEdit={can.edit} />
        </div>
        <DeploymentTimeline deployments={history} actors={actors} />
      </div>
    </div>
  );
}
