import { AutoRefresh } from '@/components/actions/auto-refresh';
import { ui } from '@/components/actions/primitives';
import { RunsTable } from '@/components/shadow/runs-table';
import { StartReplay } from '@/components/shadow/start-replay';
import { models } from '@/lib/api/models';
import { actorNames, chooseModel, knownModels } from '@/lib/actions/server-data';
import { abilities, signedInUser } from '@/lib/actions/session';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Shadow runs · Osprey' };

const MAX_RUNS = 200;

export default async function ShadowPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const can = abilities(await signedInUser());
  const registry = models();
  const all = await knownModels();
  const perModel = await Promise.all(
    all.map(async (m) => {
      const [runs, versions, production] = await Promise.all([
        registry.shadow.list(m),
        registry.registry.versions(m),
        registry.deployments.production(m),
      ]);
      return { model: m, runs, versions: versions.map((v) => v.version), production };
    }),
  );
  const runs = perModel
    .flatMap((p) => p.runs)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .slice(0, MAX_RUNS);
  const registered = perModel.filter((p) => p.versions.length > 0);
  const wanted = chooseModel(
    registered.map((p) => p.model),
    (await props.searchParams).model,
  );
  return (
    <div className={ui.page}>
      <PageHeader
        title="Shadow runs"
        crumbs="Replay logged production traffic through a candidate version and compare the answers"
      >
        <AutoRefresh />
      </PageHeader>
      <StartReplay
        versions={Object.fromEntries(registered.map((p) => [p.model, p.versions]))}
        production={Object.fromEntries(registered.map((p) => [p.model, p.production?.version]))}
        defaultModel={wanted}
        canEdit={can.edit}
      />
      <RunsTable runs={runs} canEdit={can.edit} actors={await actorNames()} />
    </div>
  );
}
