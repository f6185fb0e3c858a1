// The regrade page's URL state: who is previewed (`?enrollments=` from the scoreboard's selection),
// whether the disruptive check is included (`?disruptive=1`) and the preview being shown
// (`?preview=`). The confirmation for the disruptive check is never in the URL: a shared link may
// tick "include", but whoever starts the dry run confirms it again.

type Params = Record<string, string | string[] | undefined>;

export interface RegradeOptions {
  /** Enrollment ids chosen on the scoreboard; empty means everyone. */
  enrollments: string[];
  disruptive: boolean;
  preview: string | null;
}

function first(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** The options in a URL's search params (at most 5000 students). */
export function regradeOptionsFromParams(params: Params): RegradeOptions {
  return {
    enrollments: first(params.enrollments).split(',').filter(Boolean).slice(0, 5000),
    disruptive: ['1', 'true'].includes(first(params.disruptive)),
    preview: first(params.preview) || null,
  };
}

/** The search string for `options` ('' when there is nothing to say). */
export function regradeQuery(options: RegradeOptions): string {
  const q = new URLSearchParams();
  if (options.enrollments.length) q.set('enrollments', options.enrollments.join(','));
  if (options.disruptive) q.set('disruptive', '1');
  if (options.preview) q.set('preview', options.preview);
  const s = q.toString();
  return s ? `?${s}` : '';
}
