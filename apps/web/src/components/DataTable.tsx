import type { ReactNode } from 'react';

/**
 * A box that scrolls sideways on a phone: a region labelled `label`, focusable so keyboard users can
 * scroll it (axe: scrollable-region-focusable), relative so the visually hidden (sr-only, absolute)
 * parts inside are clipped by it instead of widening the page.
 */
export function ScrollRegion({
  label,
  className = '',
  testId,
  children,
}: {
  label: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div
      className={`relative overflow-x-auto ${className}`.trim()}
      tabIndex={0}
      role="region"
      aria-label={label}
      data-testid={testId}
    >
      {children}
    </div>
  );
}

/**
 * The app's data table: a table (its `thead`/`tbody` are the children) in a ScrollRegion, captioned
 * with `label` for screen readers, or with a visible `caption`.
 */
export function DataTable({
  label,
  caption,
  captionClassName = 'px-3 pt-3 text-left font-semibold',
  className,
  tableClassName = 'w-full text-left text-sm',
  testId,
  children,
}: {
  label: string;
  /** A visible caption instead of the screen-reader one. */
  caption?: ReactNode;
  captionClassName?: string;
  /** Classes of the scrolling box (margins, border). */
  className?: string;
  tableClassName?: string;
  /** The table's data-testid. */
  testId?: string;
  children: ReactNode;
}) {
  return (
    <ScrollRegion label={label} className={className}>
      <table className={tableClassName} data-testid={testId}>
        {caption ? (
          <caption className={captionClassName}>{caption}</caption>
        ) : (
          <caption className="sr-only">{label}</caption>
        )}
        {children}
      </table>
    </ScrollRegion>
  );
}
