import {
  listAlertEvents,
  listAlerts,
  listChannels,
  listNotifications,
  listRules,
  listSilences,
} from '@osprey/detectors';
import { AutoRefresh } from '@/components/actions/auto-refresh';
import { Tabs, ui } from '@/components/actions/primitives';
import { ActiveAlerts, AlertHistory } from '@/components/alerts/alert-tables';
import { NotificationLog } from '@/components/alerts/notification-log';
import { Rules } from '@/components/alerts/rules';
import { Silences } from '@/components/alerts/silences';
import { plural } from '@/lib/actions/format';
import { actorNames, knownModels } from '@/lib/actions/server-data';
import { abilities, signedInUser } from '@/lib/actions/session';
import { runtime } from '@/server/runtime';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Alerts · Osprey' };

const TABS = ['alerts', 'rules', 'silences', 'notifications'] as const;
type Tab = (typeof TABS)[number];

export default async function AlertsPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const can = abilities(await signedInUser());
  const params = await props.searchParams;
  const one = (k: string) => (Array.isArray(params[k]) ? params[k][0] : params[k]);
  const tab: Tab = (TABS as readonly string[]).includes(one('tab') ?? '')
    ? (one('tab') as Tab)
    : 'alerts';
  const { store } = runtime();
  const [instances, rules, silences] = await Promise.all([
    listAlerts(store),
    listRules(store),
    listSilences(store, { all: tab === 'silences' && one('all') === 'true' }),
  ]);
  const active = instances.filter((a) => a.state === 'firing' || a.state === 'pending');
  const firing = active.filter((a) => a.state === 'firing').length;
  const enabled = rules.filter((r) => r.enabled).length;
  const tabs = [
    { id: 'alerts', label: `Alerts${firing ? ` · ${firing} firing` : ''}`, href: '/alerts' },
    { id: 'rules', label: `Rules · ${rules.length}`, href: '/alerts?tab=rules' },
    {
      id: 'silences',
      label: `Silences · ${silences.filter((s) => s.active).length}`,
      href: '/alerts?tab=silences',
    },
    { id: 'notifications', label: 'Notification log', href: '/alerts?tab=notifications' },
  ];

  let body: React.ReactNode;
  if (tab === 'alerts') {
    const events = await listAlertEvents(store, { limit: 100 });
    body = (
      <>
        <ActiveAlerts alerts={active} canEdit={can.edit} />
        <AlertHistory events={events} />
      </>
    );
  } else if (tab === 'rules') {
    const [channels, models] = await Promise.all([listChannels(store), knownModels()]);
    body = (
      <Rules
        rules={rules}
        models={models}
        channels={channels.map((c) => ({ id: c.id, name: c.name, kind: c.kind }))}
        canEdit={can.edit}
      />
    );
  } else if (tab === 'silences') {
    const initial = (['alertname', 'model'] as const)
      .filter((k) => one(k))
      .map((k) => ({ name: k, op: '=', value: one(k)! }));
    body = (
      <Silences
        silences={silences}
        showAll={one('all') === 'true'}
        initialMatchers={initial}
        canEdit={can.edit}
        actors={await actorNames()}
      />
    );
  } else {
    body = <NotificationLog entries={await listNotifications(store, { limit: 200 })} />;
  }

  return (
    <div className={ui.page}>
      <PageHeader
        title="Alerts"
        crumbs={`${firing} firing · ${active.length - firing} pending · ${plural(enabled, 'rule')} enabled`}
      >
        <AutoRefresh />
      </PageHeader>
      <Tabs tabs={tabs} active={tab} />
      {body}
    </div>
  );
}
