// The scenario shapes live in src/scenario/types.ts (`kubegrade lab test` uses them too).
export * from '../../src/scenario/types.ts';
