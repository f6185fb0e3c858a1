// Outbound signed events: the outbox written in the result's transaction (see outbox.ts).
export * from './outbox.ts';
