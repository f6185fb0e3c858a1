// The live lab as the web sees it: the subscription, the instructor's switch, their shapes, and
// the pure rules of the panel (when a view is paused, which checks just changed).
import { gql } from 'urql';
import type { LiveCheckStatus, LiveLabSubscription, LiveStatus } from './graphql.generated';

// LiveStatus: OFF (the instructor has not turned it on), STARTING, LIVE, PAUSED (the live engine
// cannot watch the cluster). LiveCheckStatus: PENDING (in-pod part not run yet), GRADE_ONLY (the
// disruptive check), or a verdict. Both are the schema's enums.
export type { LiveCheckStatus, LiveStatus };

/** The subscription's payload. */
export type LiveLabState = LiveLabSubscription['liveLab'];

/** One live check. */
export type LiveCheck = LiveLabState['checks'][number];

/** A Kubernetes Event of the student's namespace. */
export type KubeEvent = LiveLabState['events'][number];

export const LIVE_LAB = gql`
  subscription LiveLab($labId: ID!) {
    liveLab(labId: $labId) {
      labId
      status
      pausedReason
      evaluatedAt
      confirmedAt
      checks {
        checkId
        title {
          zh
          en
        }
        status
        message
        messageText {
          zh
          en
        }
        hint {
          key
          zh
          en
        }
      }
      events {
        type
        reason
        message
        object
        count
        at
      }
    }
  }
`;

export const LAB_LIVE_FLAGS = gql`
  query LabLiveFlags {
    labs {
      id
      liveEnabled
    }
  }
`;

export const SET_LAB_LIVE = gql`
  mutation SetLabLive($labId: ID!, $enabled: Boolean!) {
    setLabLive(labId: $labId, enabled: $enabled) {
      id
      liveEnabled
    }
  }
`;

/** The api pauses a view the worker stopped confirming after 60 s; the page does too, between events. */
export const STALE_AFTER_MS = 60_000;

/** The status to show now: LIVE turns PAUSED when its last confirmation is too old. */
export function shownStatus(state: Pick<LiveLabState, 'status' | 'confirmedAt'>, now: number): LiveStatus {
  if (state.status !== 'LIVE') return state.status;
  const at = state.confirmedAt ? Date.parse(state.confirmedAt) : NaN;
  return Number.isFinite(at) && now - at > STALE_AFTER_MS ? 'PAUSED' : 'LIVE';
}

/** The checks whose status differs from `before` (all of them when there was no before). */
export function changedChecks(
  before: ReadonlyMap<string, LiveCheckStatus> | null,
  checks: readonly LiveCheck[],
): LiveCheck[] {
  if (!before) return [];
  return checks.filter((c) => before.get(c.checkId) !== undefined && before.get(c.checkId) !== c.status);
}
