// The run lifecycle: submit/join/cancel, the pg-boss queue, queue position, cooldown, pub/sub, and
// the worker's fenced writes. See packages/db/README.md ("Runs").
export * from './topics.ts';
export * from './errors.ts';
export * from './queue.ts';
export * from './cooldown.ts';
export * from './pubsub.ts';
export * from './submit.ts';
export * from './queue-info.ts';
export * from './lifecycle.ts';
export * from './leader.ts';
