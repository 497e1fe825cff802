import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Sign in · Osprey' };

export default function LoginPage() {
  return (
    <>
      <h1>Sign in</h1>
      <LoginForm />
    </>
  );
}
