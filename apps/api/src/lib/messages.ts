// The text of a stored check result, as GraphQL and the CSV export show it.
import type { CheckResult as CheckRow } from '@kubegrade/db';
import { renderMessage, type Message } from '@kubegrade/grader';

/** A stored check's message in both languages: rendered from the catalog key, else the English text as is. */
export function messageText(
  r: Pick<CheckRow, 'message' | 'messageKey' | 'messageParams'>,
): { zh: string; en: string } | null {
  if (r.messageKey) {
    const m: Message = { $msg: r.messageKey, params: (r.messageParams ?? {}) as Message['params'] };
    return { zh: renderMessage(m, 'zh'), en: renderMessage(m, 'en') };
  }
  return r.message === null ? null : { zh: r.message, en: r.message };
}
