import type { ReactNode } from 'react';

/** A page's title, its actions on the right (wrapping below on a phone) and an optional intro line. */
export function PageHeader({
  title,
  intro,
  actions,
}: {
  title: ReactNode;
  intro?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="space-y-1">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{title}</h1>
        {actions}
      </div>
      {intro && <p className="text-slate-700">{intro}</p>}
    </header>
  );
}
