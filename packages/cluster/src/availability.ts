// Whether the real-cluster lane can run here. On a machine without Go (or not root) it says so
// and why; in CI (CI=true) that is a failure, never a silent skip.
import { goCommand } from './build.ts';

/** Why the real cluster cannot run on this machine, or undefined when it can. */
export function unavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (containerd, the kubelet, iptables and mounts need root)';
  if (!goCommand()) return 'no Go toolchain (the Kubernetes components are built from Go modules)';
  return undefined;
}

/** Throws in CI, prints the reason elsewhere; returns true when the lane must not run. */
export function skipLane(): boolean {
  const why = unavailableReason();
  if (!why) return false;
  if (process.env.CI) throw new Error(`the real-cluster lane cannot run in CI: ${why}`);
  console.warn(
    `\n*** real-cluster lane did NOT run: ${why}. The verdicts were checked on kube-sim only. ***\n`,
  );
  return true;
}
