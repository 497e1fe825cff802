import { hasUsers } from '@osprey/db';
import { redirect } from 'next/navigation';
import { runtime } from '@/server/runtime';
import { SetupForm } from './setup-form';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Set up · Osprey' };

/** The one-time setup of a fresh install: the first admin. Gone once anyone can sign in. */
export default async function SetupPage() {
  if (await hasUsers(runtime().store)) redirect('/login');
  return (
    <>
      <h1>Welcome to Osprey</h1>
      <p className="auth-note">
        Create the first admin account. Admins add teammates as viewers, editors or admins in
        Settings. (Or set <code>OSPREY_ADMIN_EMAIL</code> and <code>OSPREY_ADMIN_PASSWORD</code>{' '}
        before starting.)
      </p>
      <SetupForm />
    </>
  );
}
