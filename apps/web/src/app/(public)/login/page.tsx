import { LoginForm } from '@/components/LoginForm';
import { apiBaseUrl } from '@/lib/proxy';

/** Only same-site paths are accepted as a post-login destination. */
function safeNext(next: string | string[] | undefined): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Whether the api offers SSO (GET /auth/providers); a silent api means password sign-in only. */
async function offersOidc(): Promise<boolean> {
  try {
    const res = await fetch(`${apiBaseUrl()}/auth/providers`, { cache: 'no-store' });
    return res.ok && ((await res.json()) as { oidc?: unknown }).oidc === true;
  } catch {
    return false;
  }
}

/** Sign-in: `?next=` is where to go afterwards. */
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [params, oidc] = await Promise.all([searchParams, offersOidc()]);
  return <LoginForm next={safeNext(params.next)} oidc={oidc} />;
}
