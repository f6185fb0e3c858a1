// The three kinds of thing an admin page hands out a secret for, and what the shared islands
// (SecretActions, SecretCreateForm, SecretItemActions) need to know about each: the message
// namespace (its keys title, intro, refresh, none, create, createButton, name, secretTitle,
// secretOnce, secretSaved, revoke, revokeTitle, revokeExplain, and rotate where it rotates), the
// secret box's test ids, and the mutations with the name of their result field.
import type { DocumentNode } from 'graphql';
import type {
  CreateApiTokenMutation,
  CreateEventEndpointMutation,
  CreateWebhookMutation,
  RotateEventEndpointMutation,
  RotateWebhookMutation,
} from '@/lib/graphql.generated';
import {
  CREATE_API_TOKEN,
  CREATE_EVENT_ENDPOINT,
  CREATE_WEBHOOK,
  RETIRE_PREVIOUS_WEBHOOK_SECRETS,
  REVOKE_API_TOKEN,
  REVOKE_EVENT_ENDPOINT,
  REVOKE_WEBHOOK,
  ROTATE_EVENT_ENDPOINT,
  ROTATE_WEBHOOK,
} from '@/lib/queries';
import type { ShownSecret } from './SecretOnce';

/** A message namespace of messages/*.json, one per page. */
export type SecretKind = 'webhooks' | 'events' | 'apiTokens';

/** What a create or rotate mutation answers: the secret and what it belongs to. */
export type SecretPayload =
  | CreateWebhookMutation['createWebhook']
  | RotateWebhookMutation['rotateWebhookSecret']
  | CreateEventEndpointMutation['createEventEndpoint']
  | RotateEventEndpointMutation['rotateEventEndpointSecret']
  | CreateApiTokenMutation['createApiToken'];

interface KindInfo {
  /** Prefix of the secret box's test ids (`<box>-secret`, `<box>-secret-value`) and the form's ids. */
  box: string;
  /** The message key of the secret's label. */
  secretLabel: string;
  create: { document: DocumentNode; field: string };
  rotate?: { document: DocumentNode; field: string };
  /** Retires the secrets a rotation kept valid (webhooks: senders switch over at their own pace). */
  retirePrevious?: DocumentNode;
  revoke: DocumentNode;
}

export const SECRET_KINDS: Record<SecretKind, KindInfo> = {
  webhooks: {
    box: 'webhook',
    secretLabel: 'secret',
    create: { document: CREATE_WEBHOOK, field: 'createWebhook' },
    rotate: { document: ROTATE_WEBHOOK, field: 'rotateWebhookSecret' },
    retirePrevious: RETIRE_PREVIOUS_WEBHOOK_SECRETS,
    revoke: REVOKE_WEBHOOK,
  },
  events: {
    box: 'event',
    secretLabel: 'secret',
    create: { document: CREATE_EVENT_ENDPOINT, field: 'createEventEndpoint' },
    rotate: { document: ROTATE_EVENT_ENDPOINT, field: 'rotateEventEndpointSecret' },
    revoke: REVOKE_EVENT_ENDPOINT,
  },
  apiTokens: {
    box: 'token',
    secretLabel: 'token',
    create: { document: CREATE_API_TOKEN, field: 'createApiToken' },
    revoke: REVOKE_API_TOKEN,
  },
};

/** A translator of one SecretKind's namespace. */
export type KindTranslator = (key: string, values?: Record<string, string | number>) => string;

/** The secret box after a create or rotate: a webhook's URL (the sender needs it too), then the secret. */
export function shownSecret(kind: SecretKind, t: KindTranslator, made: SecretPayload): ShownSecret {
  const box = SECRET_KINDS[kind].box;
  const owner = 'webhook' in made ? made.webhook : 'endpoint' in made ? made.endpoint : made.apiToken;
  const secret = {
    label: t(SECRET_KINDS[kind].secretLabel),
    value: made.secret,
    testId: `${box}-secret-value`,
  };
  return {
    title: t('secretTitle', { name: owner.name }),
    fields:
      'webhook' in made
        ? [{ label: t('url'), value: made.webhook.url, testId: `${box}-url` }, secret]
        : [secret],
  };
}
