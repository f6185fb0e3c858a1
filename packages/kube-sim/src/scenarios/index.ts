// Class scenarios for tests, the demo and benchmarks: manifests from a directory, or a generated
// class of students with chosen mistakes.
export {
  loadManifests,
  readManifests,
  parseManifests,
  namespaceObject,
  isNamespaced,
  ManifestError,
  type Manifest,
  type ApplyTarget,
  type ManifestOptions,
} from './manifests.ts';
export {
  generateClass,
  loadClass,
  studentObjects,
  nfsClientStorageClass,
  MISTAKES,
  MISTAKES_BY_LAB,
  ClassSpecError,
  type Lab,
  type Mistake,
  type MistakePlan,
  type ClassOptions,
  type ClassSpec,
  type StudentScenario,
} from './class.ts';
