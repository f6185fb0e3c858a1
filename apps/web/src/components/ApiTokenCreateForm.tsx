'use client';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { CheckboxGroup } from './forms/CheckboxGroup';
import type { CreateApiTokenInput } from '@/lib/graphql.generated';
import { SecretCreateForm } from './SecretCreateForm';

/** The scopes a token may carry, in the order the form shows them (apps/api lib/api-tokens.ts). */
const SCOPES = ['scoreboard:read', 'runs:read', 'regrade:write', 'roster:write'] as const;

/** The tokens page's "new token" form: a name, how many days it lasts and its scopes. */
export function ApiTokenCreateForm() {
  const t = useTranslations('apiTokens');
  const [scopes, setScopes] = useState<string[]>([]);
  return (
    <SecretCreateForm
      kind="apiTokens"
      fields={[
        {
          key: 'days',
          label: t('expiresInDays'),
          controlClass: 'w-28',
          required: true,
          input: { type: 'number', min: 1, max: 366 },
          initial: '90',
          keep: true,
        },
      ]}
      input={({ name, days }): CreateApiTokenInput | string =>
        scopes.length ? { name: name!, scopes, expiresInDays: Number(days) } : t('needScope')
      }
      onCreated={() => setScopes([])}
      below={
        <CheckboxGroup
          legend={t('scopes')}
          codes
          options={SCOPES.map((s) => ({ value: s, label: t(`scope.${s}`) }))}
          selected={scopes}
          onChange={setScopes}
        />
      }
    />
  );
}
