'use client';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { buttonClass } from './forms/fields';

/** Copies text to the clipboard and says so (to sighted and screen-reader users alike). */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useTranslations('common');
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      // Clipboard access can be refused (insecure origin, permissions); the text stays selectable.
      setState('failed');
    }
    window.setTimeout(() => setState('idle'), 2500);
  }
  return (
    <button type="button" onClick={copy} className={buttonClass.small}>
      <span aria-live="polite">
        {state === 'copied' ? t('copied') : state === 'failed' ? t('copyFailed') : (label ?? t('copy'))}
      </span>
    </button>
  );
}
