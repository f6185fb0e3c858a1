'use client';
// A secret (an API token, an event endpoint's signing secret) shown once, right after it is
// created: read-only, selected on focus, with a copy button and a "saved it" button that hides it.
import { CopyButton } from './CopyButton';
import { buttonClass } from './forms/fields';

export function SecretOnce({
  id,
  title,
  notice,
  label,
  savedLabel,
  secret,
  onDismiss,
}: {
  /** Prefix of the heading id and the test ids (`<id>-secret`, `<id>-secret-value`). */
  id: string;
  title: string;
  notice: string;
  label: string;
  savedLabel: string;
  secret: string;
  onDismiss: () => void;
}) {
  return (
    <section
      aria-labelledby={`${id}-secret-heading`}
      className="space-y-3 rounded-lg border-2 border-amber-400 bg-amber-50 p-4"
      data-testid={`${id}-secret`}
    >
      <h2 id={`${id}-secret-heading`} className="font-bold">
        {title}
      </h2>
      <p className="text-sm text-amber-950">{notice}</p>
      <div className="flex flex-wrap items-center gap-2">
        <input
          readOnly
          value={secret}
          aria-label={label}
          data-testid={`${id}-secret-value`}
          className="w-full max-w-xl rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm"
          onFocus={(e) => e.target.select()}
        />
        <CopyButton text={secret} />
      </div>
      <button type="button" onClick={onDismiss} className={buttonClass.secondary}>
        {savedLabel}
      </button>
    </section>
  );
}
