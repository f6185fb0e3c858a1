// @kubegrade/deploy: the RoleBinding generator and the manifest locations (the manifests are in base/).
export {
  namespacesFromRoster,
  roleBindings,
  toYaml,
  isNamespaceName,
  RosterFileError,
  NAMESPACE_ROLE,
  DEFAULT_IDENTITY,
} from './rolebindings.ts';
export type { RoleBinding, RosterError, GraderIdentity } from './rolebindings.ts';
export { namespacesFromDatabase } from './enrollments.ts';
