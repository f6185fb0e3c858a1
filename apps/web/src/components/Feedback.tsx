'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import type { CombinedError } from 'urql';
import { Spinner } from './StatusBadge';

/** A polite "loading" line. */
export function Loading({ label }: { label?: string }) {
  const t = useTranslations('common');
  return (
    <p role="status" className="flex items-center gap-2 text-slate-600">
      <Spinner /> {label ?? t('loading')}
    </p>
  );
}

/** The message a person can act on, from a GraphQL or network error. */
export function errorMessage(error: CombinedError | Error | string): string {
  if (typeof error === 'string') return error;
  if ('graphQLErrors' in error && error.graphQLErrors.length > 0) {
    return error.graphQLErrors.map((e) => e.message).join('; ');
  }
  if ('networkError' in error && error.networkError) return error.networkError.message;
  return error.message;
}

/** An error box with an optional retry button. */
export function ErrorNote({
  error,
  onRetry,
}: {
  error: CombinedError | Error | string;
  onRetry?: () => void;
}) {
  const t = useTranslations('common');
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-4 text-red-900">
      <p className="font-medium">{t('error')}</p>
      <p className="mt-1 text-sm">{errorMessage(error)}</p>
      {onRetry && (
        <button
          type="button"
          onClick={onRetry}
          className="mt-3 rounded-md bg-red-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-900"
        >
          {t('retry')}
        </button>
      )}
    </div>
  );
}

/** An error from a server component's query, with a retry that renders the page again. */
export function ServerErrorNote({ message }: { message: string }) {
  const router = useRouter();
  return <ErrorNote error={message} onRetry={() => router.refresh()} />;
}
