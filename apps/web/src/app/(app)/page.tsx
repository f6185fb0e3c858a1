import { redirect } from 'next/navigation';
import { requireMe } from '@/lib/session';

/** "/" sends each role to its starting page. */
export default async function HomePage() {
  const me = await requireMe();
  redirect(me.role === 'ADMIN' ? '/admin/labs' : '/labs');
}
