import { listApiKeys, listUsers } from '@osprey/db';
import { lastTests, listChannels, publicChannel } from '@osprey/detectors';
import { Callout, Panel, Tabs, ui } from '@/components/actions/primitives';
import { ApiKeys } from '@/components/settings/api-keys';
import { Channels, type ChannelRow } from '@/components/settings/channels';
import { Users } from '@/components/settings/users';
import { when } from '@/lib/actions/format';
import { abilities, signedInUser } from '@/lib/actions/session';
import { runtime } from '@/server/runtime';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Settings · Osprey' };

const TABS = ['api-keys', 'channels', 'users'] as const;
type Tab = (typeof TABS)[number];

export default async function SettingsPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await signedInUser();
  const can = abilities(user);
  const wanted = (await props.searchParams).tab;
  const tab: Tab = (TABS as readonly unknown[]).includes(wanted) ? (wanted as Tab) : 'api-keys';
  const header = (
    <PageHeader title="Settings" crumbs={`Signed in as ${user.email} (${user.role})`} />
  );
  if (!can.admin) {
    // API keys, channels and users are admin-only in the API; other roles see their account.
    return (
      <div className={ui.page}>
        {header}
        <Callout tone="info" testId="settings-role-note">
          API keys, notification channels and users are managed by admins; you are signed in as{' '}
          <strong>{user.role}</strong>. Ask an admin for access.
        </Callout>
        <Panel title="Your account">
          <table className={ui.table}>
            <tbody>
              <tr>
                <td className={ui.muted}>Email</td>
                <td>{user.email}</td>
              </tr>
              <tr>
                <td className={ui.muted}>Name</td>
                <td>{user.name || '—'}</td>
              </tr>
              <tr>
                <td className={ui.muted}>Role</td>
                <td>{user.role}</td>
              </tr>
              <tr>
                <td className={ui.muted}>Since</td>
                <td>{when(user.created_at)}</td>
              </tr>
            </tbody>
          </table>
        </Panel>
      </div>
    );
  }
  const { store } = runtime();
  let body: React.ReactNode;
  if (tab === 'api-keys') body = <ApiKeys keys={await listApiKeys(store)} />;
  else if (tab === 'channels') {
    const [channels, tests] = await Promise.all([listChannels(store), lastTests(store)]);
    const rows = channels.map((c) => ({ ...publicChannel(c), last_test: tests.get(c.id) ?? null }));
    body = <Channels channels={rows as ChannelRow[]} />;
  } else body = <Users users={await listUsers(store)} me={user.id} />;
  return (
    <div className={ui.page}>
      {header}
      <Tabs
        active={tab}
        tabs={[
          { id: 'api-keys', label: 'API keys', href: '/settings' },
          { id: 'channels', label: 'Channels', href: '/settings?tab=channels' },
          { id: 'users', label: 'Users and roles', href: '/settings?tab=users' },
        ]}
      />
      {body}
    </div>
  );
}
