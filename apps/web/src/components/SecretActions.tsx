'use client';
// The client half of the admin pages that hand out secrets (webhooks, event endpoints, API tokens):
// the box with a secret shown once, the alert for an action that failed, and the one confirmation
// dialog of the page. The islands inside (a create form, an item's rotate/revoke buttons) reach them
// through useSecretActions(); after an action succeeds the server renders the page again.
import type { DocumentNode } from 'graphql';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { ConfirmDialog } from './ConfirmDialog';
import { errorMessage } from './Feedback';
import { buttonClass } from './forms/fields';
import { SECRET_KINDS, type SecretKind } from './secret-kinds';
import { SecretOnce, type ShownSecret } from './SecretOnce';

/** A mutation as an action runs it: urql's result (only its error matters here). */
export type Action = () => Promise<{ error?: CombinedError }>;

/** What a confirmation asks before its action runs. */
export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  action: Action;
}

interface SecretActionsApi {
  /** Runs the action; its error goes to the page's alert, else the page is rendered again. True if it succeeded. */
  run: (action: Action) => Promise<boolean>;
  /** Asks first (a danger dialog), then runs the action. */
  confirm: (request: ConfirmRequest) => void;
  /** Shows a secret until the admin says it is saved. */
  showSecret: (shown: ShownSecret) => void;
}

const SecretActionsContext = createContext<SecretActionsApi | null>(null);

export function useSecretActions(): SecretActionsApi {
  const api = useContext(SecretActionsContext);
  if (!api) throw new Error('useSecretActions needs a <SecretActions> around it');
  return api;
}

export function SecretActions({ kind, children }: { kind: SecretKind; children: ReactNode }) {
  const t = useTranslations(kind);
  const router = useRouter();
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState<ConfirmRequest | null>(null);
  const [busy, setBusy] = useState(false);

  const run = useCallback(
    async (action: Action) => {
      setError(null);
      const res = await action();
      if (res.error) {
        setError(errorMessage(res.error));
        return false;
      }
      router.refresh();
      return true;
    },
    [router],
  );
  const api = useMemo<SecretActionsApi>(() => ({ run, confirm: setAsking, showSecret: setShown }), [run]);

  return (
    <SecretActionsContext.Provider value={api}>
      {shown && (
        <SecretOnce
          id={SECRET_KINDS[kind].box}
          shown={shown}
          notice={t('secretOnce')}
          savedLabel={t('secretSaved')}
          onDismiss={() => setShown(null)}
        />
      )}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-900">
          {error}
        </p>
      )}
      {children}
      <ConfirmDialog
        open={asking !== null}
        title={asking?.title ?? ''}
        confirmLabel={asking?.confirmLabel ?? ''}
        danger
        busy={busy}
        onCancel={() => setAsking(null)}
        onConfirm={async () => {
          if (!asking) return;
          setBusy(true);
          await run(asking.action);
          setBusy(false);
          setAsking(null);
        }}
      >
        <p>{asking?.body}</p>
      </ConfirmDialog>
    </SecretActionsContext.Provider>
  );
}

/**
 * A button that runs a mutation (its variables given): after a danger confirmation if `confirm` says
 * what to ask, and showing the secret it made (a rotation) if `secret` says how to find it.
 */
export function ActionButton<D = unknown>({
  label,
  document,
  variables,
  confirm,
  secret,
}: {
  label: string;
  document: DocumentNode;
  variables: Record<string, unknown>;
  /** The dialog's title and explanation; the button is then a danger button and confirms with its label. */
  confirm?: { title: string; body: string };
  secret?: (data: D) => ShownSecret;
}) {
  const api = useSecretActions();
  const [, mutate] = useMutation<D>(document);
  const action: Action = async () => {
    const res = await mutate(variables);
    if (res.data && secret) api.showSecret(secret(res.data));
    return res;
  };
  return (
    <button
      type="button"
      className={confirm ? buttonClass.danger : buttonClass.secondary}
      onClick={() =>
        confirm ? api.confirm({ ...confirm, confirmLabel: label, action }) : void api.run(action)
      }
    >
      {label}
    </button>
  );
}
