'use client';
import { useTranslations } from 'next-intl';
import { REDELIVER_EVENT } from '@/lib/queries';
import { ActionButton } from './SecretActions';
import { SECRET_KINDS, shownSecret, type SecretKind, type SecretPayload } from './secret-kinds';

/**
 * The buttons of one active webhook, event endpoint or API token: rotate its secret (shown once;
 * not tokens), retire the secrets a rotation kept valid (webhooks with more than one), revoke after
 * asking.
 */
export function SecretItemActions({
  kind,
  item,
}: {
  kind: SecretKind;
  item: { id: string; name: string; activeSecrets?: number };
}) {
  const t = useTranslations(kind);
  const { rotate, retirePrevious, revoke } = SECRET_KINDS[kind];
  const variables = { id: item.id };
  return (
    <>
      {rotate && (
        <ActionButton<Record<string, SecretPayload>>
          label={t('rotate')}
          document={rotate.document}
          variables={variables}
          secret={(data) => shownSecret(kind, t, data[rotate.field]!)}
        />
      )}
      {retirePrevious && (item.activeSecrets ?? 0) > 1 && (
        <ActionButton label={t('retirePrevious')} document={retirePrevious} variables={variables} />
      )}
      <ActionButton
        label={t('revoke')}
        document={revoke}
        variables={variables}
        confirm={{ title: t('revokeTitle', { name: item.name }), body: t('revokeExplain') }}
      />
    </>
  );
}

/** Sends one event delivery again (same message id); the log is then rendered again. */
export function RedeliverButton({ deliveryId }: { deliveryId: string }) {
  const t = useTranslations('events');
  return <ActionButton label={t('redeliver')} document={REDELIVER_EVENT} variables={{ id: deliveryId }} />;
}
