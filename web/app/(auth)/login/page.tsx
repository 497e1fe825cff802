import { hasUsers } from '@osprey/db';
import { redirect } from 'next/navigation';
import { runtime } from '@/server/runtime';
import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Sign in · Osprey' };

export default async function LoginPage() {
  // A fresh install has nobody to sign in as: its first admin is created on the setup page.
  if (!(await hasUsers(runtime().store))) redirect('/setup');
  return (
    <>
      <h1>Sign in</h1>
      <LoginForm />
    </>
  );
}
