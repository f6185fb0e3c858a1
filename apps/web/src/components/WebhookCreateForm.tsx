'use client';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { CheckboxGroup } from './forms/CheckboxGroup';
import { SelectField, TextField } from './forms/fields';
import type { CreateWebhookInput, WebhookScopeKind } from '@/lib/graphql.generated';
import { SecretCreateForm } from './SecretCreateForm';

/** The webhooks page's "new webhook" form: a name and what it may regrade (every lab, some labs, some namespaces). */
export function WebhookCreateForm({ labs }: { labs: { value: string; label: string }[] }) {
  const t = useTranslations('webhooks');
  const [scopeKind, setScopeKind] = useState<WebhookScopeKind>('ALL');
  const [labIds, setLabIds] = useState<string[]>([]);
  const [namespaces, setNamespaces] = useState('');
  return (
    <SecretCreateForm
      kind="webhooks"
      input={({ name }): CreateWebhookInput => ({
        name: name!,
        scopeKind,
        labs: scopeKind === 'LABS' ? labIds : undefined,
        namespaces: scopeKind === 'NAMESPACES' ? namespaces.split(/[\s,]+/).filter(Boolean) : undefined,
      })}
    >
      <SelectField
        id="webhook-scope"
        label={t('scope')}
        value={scopeKind}
        onChange={(e) => setScopeKind(e.target.value as WebhookScopeKind)}
      >
        <option value="ALL">{t('scopeALL')}</option>
        <option value="LABS">{t('scopeLABS')}</option>
        <option value="NAMESPACES">{t('scopeNAMESPACES')}</option>
      </SelectField>
      {scopeKind === 'LABS' && (
        <CheckboxGroup legend={t('labs')} options={labs} selected={labIds} onChange={setLabIds} />
      )}
      {scopeKind === 'NAMESPACES' && (
        <TextField
          id="webhook-namespaces"
          label={t('namespaces')}
          controlClass="w-64"
          value={namespaces}
          onChange={(e) => setNamespaces(e.target.value)}
          placeholder="ns-a, ns-b"
        />
      )}
    </SecretCreateForm>
  );
}
