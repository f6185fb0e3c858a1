// The GraphQL operations this app sends. Field selections match src/lib/types.ts.
import { gql } from 'urql';

const CHECK_FIELDS = `
  checkId
  title { zh en }
  status
  points
  maxPoints
  message
  hint { key zh en }
  evidence
  durationMs
  finishedAt
`;

const RUN_FIELDS = `
  id
  lab { id title { zh en } }
  namespace
  student { id name email }
  trigger
  status
  score
  maxScore
  disruptive
  queuedAt
  startedAt
  finishedAt
  errorDetail
  graderVersion
  queuePosition
  estimatedWaitSeconds
  checks { ${CHECK_FIELDS} }
`;

const LAB_FIELDS = `
  id
  version
  title { zh en }
  enabled
  disruptiveEnabled
  maxScore
  checks { id title { zh en } points disruptive needs }
`;

const ROW_FIELDS = `
  enrollment { id namespace }
  student { id name email studentId }
  namespace
  latestRun { id status score finishedAt }
  bestScore
  score
  maxScore
  cells { checkId status points }
  lastGradedAt
`;

const RUN_SUMMARY_FIELDS = `id status trigger score maxScore disruptive queuedAt finishedAt`;

export const ME = gql`
  query Me {
    me {
      id
      email
      name
      role
      studentId
    }
  }
`;

export const MY_LABS = gql`
  query MyLabs {
    myLabs {
      lab { ${LAB_FIELDS} }
      enrollment { id namespace course { id slug name } }
      latestRun { ${RUN_FIELDS} }
      bestScore
      cooldown { tokensAvailable retryAfterSeconds }
    }
  }
`;

export const LABS = gql`
  query Labs {
    labs { ${LAB_FIELDS} }
  }
`;

export const RUNS = gql`
  query Runs($labId: ID, $enrollmentId: ID, $first: Int) {
    runs(labId: $labId, enrollmentId: $enrollmentId, first: $first) {
      total
      nodes { ${RUN_SUMMARY_FIELDS} }
    }
  }
`;

export const RUN = gql`
  query Run($id: ID!) {
    run(id: $id) { ${RUN_FIELDS} }
  }
`;

export const SUBMIT_RUN = gql`
  mutation SubmitRun($labId: ID!) {
    submitRun(labId: $labId) {
      joined
      cooldown { tokensAvailable retryAfterSeconds }
      run { ${RUN_FIELDS} }
    }
  }
`;

export const RUN_PROGRESS = gql`
  subscription RunProgress($runId: ID!) {
    runProgress(runId: $runId) {
      runId
      run { ${RUN_FIELDS} }
    }
  }
`;

export const SCOREBOARD = gql`
  query Scoreboard($labId: ID!, $filter: ScoreboardFilter, $first: Int) {
    scoreboard(labId: $labId, filter: $filter, first: $first) {
      lab { ${LAB_FIELDS} }
      total
      rows { ${ROW_FIELDS} }
      passRateByCheck { checkId title { zh en } passed graded rate }
      scoreDistribution { from to count }
    }
  }
`;

export const SCOREBOARD_CHANGED = gql`
  subscription ScoreboardChanged($labId: ID!) {
    scoreboardChanged(labId: $labId) { ${ROW_FIELDS} }
  }
`;

export const REGRADE = gql`
  mutation Regrade($labId: ID!, $enrollmentIds: [ID!], $all: Boolean, $disruptive: Boolean) {
    regrade(labId: $labId, enrollmentIds: $enrollmentIds, all: $all, disruptive: $disruptive) {
      joined
      runs {
        id
        status
      }
    }
  }
`;

export const IMPORT_ROSTER = gql`
  mutation ImportRoster($csv: String!, $dryRun: Boolean!, $courseSlug: String) {
    importRoster(csv: $csv, dryRun: $dryRun, courseSlug: $courseSlug) {
      dryRun
      created
      updated
      unchanged
      changes {
        line
        action
        email
        name
        studentId
        namespace
        setPasswordUrl
      }
      errors {
        line
        message
      }
    }
  }
`;

export const SET_LAB_ENABLED = gql`
  mutation SetLabEnabled($labId: ID!, $enabled: Boolean!) {
    setLabEnabled(labId: $labId, enabled: $enabled) { ${LAB_FIELDS} }
  }
`;

export const SET_LAB_DISRUPTIVE = gql`
  mutation SetLabDisruptive($labId: ID!, $enabled: Boolean!) {
    setLabDisruptive(labId: $labId, enabled: $enabled) { ${LAB_FIELDS} }
  }
`;

const WEBHOOK_FIELDS = `
  id name url scopeKind labs namespaces active createdAt activeSecrets
  deliveries(first: 50) { id deliveryId receivedAt outcome reason runIds }
`;

export const WEBHOOKS = gql`
  query Webhooks {
    webhooks { ${WEBHOOK_FIELDS} }
  }
`;

export const CREATE_WEBHOOK = gql`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } }
  }
`;

export const ROTATE_WEBHOOK = gql`
  mutation RotateWebhook($id: ID!) {
    rotateWebhookSecret(id: $id) { secret webhook { ${WEBHOOK_FIELDS} } }
  }
`;

export const REVOKE_WEBHOOK = gql`
  mutation RevokeWebhook($id: ID!) {
    revokeWebhook(id: $id) { ${WEBHOOK_FIELDS} }
  }
`;
