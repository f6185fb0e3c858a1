// What the stack launcher tells the tests: where things are and who can sign in.

/** Environment variable holding the StackInfo JSON (set by global-setup.ts). */
export const STACK_ENV = 'KUBEGRADE_E2E_STACK';
/** Environment variable holding the web app's base URL (read by playwright.config.ts). */
export const WEB_URL_ENV = 'KUBEGRADE_E2E_WEB_URL';

/** A person the tests sign in as. */
export interface Account {
  email: string;
  password: string;
  name: string;
  namespace?: string;
}

/** The running stack as the tests see it. */
export interface StackInfo {
  webUrl: string;
  apiUrl: string;
  labId: string;
  admin: Account;
  instructor: Account;
  /** A student whose namespace is complete and correct. */
  correctStudent: Account;
  /** A student whose headless Service is not named like the StatefulSet's serviceName. */
  mismatchStudent: Account;
  /** Another correct student, used for the live scoreboard test. */
  liveStudent: Account;
  /** A third correct student, graded first by the ledger test (the others' cooldown is spent by then). */
  ledgerStudent: Account;
  /** A kubeconfig file for the stack's cluster (kube-sim): the live lab test applies manifests with kubectl. */
  kubeconfig: string;
}

/** The stack started by global setup. */
export function stackInfo(): StackInfo {
  const raw = process.env[STACK_ENV];
  if (!raw)
    throw new Error(
      `${STACK_ENV} is not set: run the tests with \`npx playwright test\` so global setup starts the stack`,
    );
  return JSON.parse(raw) as StackInfo;
}
