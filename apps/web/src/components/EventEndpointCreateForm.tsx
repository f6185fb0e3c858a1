'use client';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { CheckboxGroup } from './forms/CheckboxGroup';
import type { CreateEventEndpointInput } from '@/lib/graphql.generated';
import { SecretCreateForm } from './SecretCreateForm';

/** The event types an endpoint can ask for (apps/api lib/events.ts). */
const EVENT_TYPES = ['run.finished', 'score.changed', 'regrade.completed', 'student.stuck'] as const;

/** The events page's "new endpoint" form: name, course, URL and the events to send. */
export function EventEndpointCreateForm() {
  const t = useTranslations('events');
  const [events, setEvents] = useState<string[]>(['run.finished']);
  return (
    <SecretCreateForm
      kind="events"
      fields={[
        { key: 'course', label: t('course'), controlClass: 'w-44 font-mono', required: true, keep: true },
        {
          key: 'url',
          label: t('url'),
          controlClass: 'w-72 font-mono sm:w-96',
          required: true,
          input: { type: 'url', maxLength: 2000, placeholder: 'https://' },
        },
      ]}
      input={({ name, course, url }): CreateEventEndpointInput | string =>
        events.length ? { name: name!, url: url!, courseSlug: course!, events } : t('needEvent')
      }
      below={
        <CheckboxGroup
          legend={t('events')}
          codes
          options={EVENT_TYPES.map((ev) => ({ value: ev, label: t(`event.${ev.replace('.', '_')}`) }))}
          selected={events}
          onChange={setEvents}
        />
      }
    />
  );
}
