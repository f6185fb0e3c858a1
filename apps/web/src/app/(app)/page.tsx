'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useMe } from '@/components/AppShell';
import { Loading } from '@/components/Feedback';

/** "/" sends each role to its starting page. */
export default function HomePage() {
  const me = useMe();
  const router = useRouter();
  useEffect(() => {
    router.replace(me.role === 'ADMIN' ? '/admin/labs' : '/labs');
  }, [me.role, router]);
  return <Loading />;
}
