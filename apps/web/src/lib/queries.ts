// The GraphQL operations this app sends; their result types are generated from them (src/lib/graphql.generated.ts).
import { gql } from 'urql';

const CHECK_FIELDS = gql`
  fragment CheckFields on CheckResult {
    checkId
    title {
      zh
      en
    }
    status
    points
    maxPoints
    message
    messageKey
    messageText {
      zh
      en
    }
    hint {
      key
      zh
      en
    }
    evidence
    durationMs
    finishedAt
  }
`;

const RUN_FIELDS = gql`
  fragment RunFields on GradingRun {
    id
    lab {
      id
      title {
        zh
        en
      }
    }
    namespace
    student {
      id
      name
      email
    }
    trigger
    status
    score
    maxScore
    disruptive
    queuedAt
    startedAt
    finishedAt
    errorDetail
    labVersion
    graderVersion
    queuePosition
    estimatedWaitSeconds
    checks {
      ...CheckFields
    }
  }
  ${CHECK_FIELDS}
`;

const LAB_FIELDS = gql`
  fragment LabFields on Lab {
    id
    version
    title {
      zh
      en
    }
    enabled
    disruptiveEnabled
    maxScore
    checks {
      id
      title {
        zh
        en
      }
      points
      disruptive
      needs
    }
  }
`;

const ROW_FIELDS = gql`
  fragment RowFields on ScoreboardRow {
    enrollment {
      id
      namespace
    }
    student {
      id
      name
      email
      studentId
    }
    namespace
    latestRun {
      id
      status
      score
      finishedAt
    }
    bestScore
    score
    finalScore
    maxScore
    cells {
      checkId
      status
      points
    }
    lastGradedAt
    live {
      status
      passed
      checks
    }
  }
`;

const RUN_SUMMARY_FIELDS = gql`
  fragment RunSummaryFields on GradingRun {
    id
    status
    trigger
    score
    maxScore
    disruptive
    queuedAt
    finishedAt
  }
`;

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
      lab {
        ...LabFields
      }
      enrollment {
        id
        namespace
        course {
          id
          slug
          name
        }
      }
      latestRun {
        ...RunFields
      }
      bestScore
      cooldown {
        tokensAvailable
        retryAfterSeconds
      }
    }
  }
  ${LAB_FIELDS}
  ${RUN_FIELDS}
`;

export const LABS = gql`
  query Labs {
    labs {
      ...LabFields
    }
  }
  ${LAB_FIELDS}
`;

export const RUNS = gql`
  query Runs($labId: ID, $enrollmentId: ID, $first: Int) {
    runs(labId: $labId, enrollmentId: $enrollmentId, first: $first) {
      total
      nodes {
        ...RunSummaryFields
      }
    }
  }
  ${RUN_SUMMARY_FIELDS}
`;

export const RUN = gql`
  query Run($id: ID!) {
    run(id: $id) {
      ...RunFields
    }
  }
  ${RUN_FIELDS}
`;

export const SUBMIT_RUN = gql`
  mutation SubmitRun($labId: ID!) {
    submitRun(labId: $labId) {
      joined
      cooldown {
        tokensAvailable
        retryAfterSeconds
      }
      run {
        ...RunFields
      }
    }
  }
  ${RUN_FIELDS}
`;

export const RUN_PROGRESS = gql`
  subscription RunProgress($runId: ID!) {
    runProgress(runId: $runId) {
      runId
      run {
        ...RunFields
      }
    }
  }
  ${RUN_FIELDS}
`;

export const SCOREBOARD = gql`
  query Scoreboard($labId: ID!, $filter: ScoreboardFilter, $first: Int) {
    scoreboard(labId: $labId, filter: $filter, first: $first) {
      lab {
        ...LabFields
      }
      total
      rows {
        ...RowFields
      }
      passRateByCheck {
        checkId
        title {
          zh
          en
        }
        passed
        graded
        rate
      }
      scoreDistribution {
        from
        to
        count
      }
    }
  }
  ${LAB_FIELDS}
  ${ROW_FIELDS}
`;

export const SCOREBOARD_CHANGED = gql`
  subscription ScoreboardChanged($labId: ID!) {
    scoreboardChanged(labId: $labId) {
      ...RowFields
    }
  }
  ${ROW_FIELDS}
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

/** What a roster import or an LTI roster sync changed (or would change, in a dry run). */
const ROSTER_RESULT_FIELDS = gql`
  fragment RosterResultFields on RosterImportResult {
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
`;

export const IMPORT_ROSTER = gql`
  mutation ImportRoster($csv: String!, $dryRun: Boolean!, $courseSlug: String) {
    importRoster(csv: $csv, dryRun: $dryRun, courseSlug: $courseSlug) {
      ...RosterResultFields
    }
  }
  ${ROSTER_RESULT_FIELDS}
`;

export const SET_LAB_ENABLED = gql`
  mutation SetLabEnabled($labId: ID!, $enabled: Boolean!) {
    setLabEnabled(labId: $labId, enabled: $enabled) {
      ...LabFields
    }
  }
  ${LAB_FIELDS}
`;

export const SET_LAB_DISRUPTIVE = gql`
  mutation SetLabDisruptive($labId: ID!, $enabled: Boolean!) {
    setLabDisruptive(labId: $labId, enabled: $enabled) {
      ...LabFields
    }
  }
  ${LAB_FIELDS}
`;

const WEBHOOK_FIELDS = gql`
  fragment WebhookFields on Webhook {
    id
    name
    url
    scopeKind
    labs
    namespaces
    active
    createdAt
    activeSecrets
    deliveries(first: 50) {
      id
      deliveryId
      receivedAt
      outcome
      reason
      runIds
    }
  }
`;

export const WEBHOOKS = gql`
  query Webhooks {
    webhooks {
      ...WebhookFields
    }
  }
  ${WEBHOOK_FIELDS}
`;

// The mutations select only what the page's islands use (the secret, shown once, and what its box
// names); the page renders its list again from the server (router.refresh) after each of them.
export const CREATE_WEBHOOK = gql`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      secret
      webhook {
        id
        name
        url
      }
    }
  }
`;

export const ROTATE_WEBHOOK = gql`
  mutation RotateWebhook($id: ID!) {
    rotateWebhookSecret(id: $id) {
      secret
      webhook {
        id
        name
        url
      }
    }
  }
`;

export const RETIRE_PREVIOUS_WEBHOOK_SECRETS = gql`
  mutation RetirePreviousWebhookSecrets($id: ID!) {
    retirePreviousWebhookSecrets(id: $id) {
      id
      activeSecrets
    }
  }
`;

export const REVOKE_WEBHOOK = gql`
  mutation RevokeWebhook($id: ID!) {
    revokeWebhook(id: $id) {
      id
      active
    }
  }
`;

const API_TOKEN_FIELDS = gql`
  fragment ApiTokenFields on ApiToken {
    id
    name
    scopes
    ownerEmail
    createdAt
    expiresAt
    lastUsedAt
    revokedAt
    active
  }
`;

export const API_TOKENS = gql`
  query ApiTokens {
    apiTokens {
      ...ApiTokenFields
    }
  }
  ${API_TOKEN_FIELDS}
`;

export const CREATE_API_TOKEN = gql`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      secret
      apiToken {
        id
        name
      }
    }
  }
`;

export const REVOKE_API_TOKEN = gql`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      active
    }
  }
`;

const EVENT_ENDPOINT_FIELDS = gql`
  fragment EventEndpointFields on EventEndpoint {
    id
    name
    url
    courseSlug
    events
    active
    createdAt
    activeSecrets
    deliveries(first: 50) {
      id
      messageId
      eventType
      status
      attempts
      lastStatusCode
      lastResponseMs
      lastError
      createdAt
      lastAttemptAt
      deliveredAt
    }
  }
`;

export const EVENT_ENDPOINTS = gql`
  query EventEndpoints {
    eventEndpoints {
      ...EventEndpointFields
    }
  }
  ${EVENT_ENDPOINT_FIELDS}
`;

export const CREATE_EVENT_ENDPOINT = gql`
  mutation CreateEventEndpoint($input: CreateEventEndpointInput!) {
    createEventEndpoint(input: $input) {
      secret
      endpoint {
        id
        name
      }
    }
  }
`;

export const ROTATE_EVENT_ENDPOINT = gql`
  mutation RotateEventEndpoint($id: ID!) {
    rotateEventEndpointSecret(id: $id) {
      secret
      endpoint {
        id
        name
      }
    }
  }
`;

export const REVOKE_EVENT_ENDPOINT = gql`
  mutation RevokeEventEndpoint($id: ID!) {
    revokeEventEndpoint(id: $id) {
      id
      active
    }
  }
`;

export const REDELIVER_EVENT = gql`
  mutation RedeliverEvent($id: ID!) {
    redeliverEvent(id: $id) {
      id
      status
    }
  }
`;

const LTI_PLATFORM_FIELDS = gql`
  fragment LtiPlatformFields on LtiPlatform {
    id
    name
    courseSlug
    issuer
    clientId
    deploymentId
    authLoginUrl
    authTokenUrl
    jwksUrl
    membershipsUrl
    toolLoginUrl
    toolLaunchUrl
    toolJwksUrl
    createdAt
  }
`;
const LTI_PUSH_FIELDS = gql`
  fragment LtiPushFields on LtiScorePush {
    id
    runId
    status
    scoreGiven
    scoreMaximum
    statusCode
    error
    createdAt
    sentAt
  }
`;

export const LTI_PLATFORMS = gql`
  query LtiPlatforms {
    ltiPlatforms {
      ...LtiPlatformFields
    }
  }
  ${LTI_PLATFORM_FIELDS}
`;

export const CREATE_LTI_PLATFORM = gql`
  mutation CreateLtiPlatform($input: CreateLtiPlatformInput!) {
    createLtiPlatform(input: $input) {
      ...LtiPlatformFields
    }
  }
  ${LTI_PLATFORM_FIELDS}
`;

export const SYNC_LTI_ROSTER = gql`
  mutation SyncLtiRoster($platformId: ID!, $dryRun: Boolean!) {
    syncLtiRoster(platformId: $platformId, dryRun: $dryRun) {
      ...RosterResultFields
    }
  }
  ${ROSTER_RESULT_FIELDS}
`;

export const LTI_PASSBACKS = gql`
  query LtiPassbacks($enrollmentId: ID!, $labId: ID!) {
    ltiPassbacks(enrollmentId: $enrollmentId, labId: $labId) {
      ...LtiPushFields
    }
  }
  ${LTI_PUSH_FIELDS}
`;

export const PUSH_LTI_SCORE = gql`
  mutation PushLtiScore($enrollmentId: ID!, $labId: ID!) {
    pushLtiScore(enrollmentId: $enrollmentId, labId: $labId) {
      ...LtiPushFields
    }
  }
  ${LTI_PUSH_FIELDS}
`;

export const ENROLLMENT_SEARCH = gql`
  query EnrollmentSearch($search: String) {
    enrollments(search: $search, first: 20) {
      id
      namespace
      user {
        name
        email
      }
    }
  }
`;

// Deadlines, the score policy and the score ledger (apps/api graphql/ledger.ts).
const SCHEDULE_FIELDS = gql`
  fragment ScheduleFields on LabSchedule {
    opensAt
    dueAt
    closesAt
    latePenaltyPercent
    lateStepHours
    lateFloorPercent
    scorePolicy
  }
`;

export const SCORE_LEDGER = gql`
  query ScoreLedger($labId: ID!, $enrollmentId: ID) {
    scoreLedger(labId: $labId, enrollmentId: $enrollmentId) {
      lab {
        id
        title {
          zh
          en
        }
        maxScore
      }
      enrollment {
        id
        namespace
      }
      student {
        id
        name
        email
      }
      courseTimeZone
      schedule {
        ...ScheduleFields
      }
      extension {
        dueAt
        reason
        createdAt
      }
      effectiveDueAt
      counted {
        run {
          id
          queuedAt
          labVersion
          graderVersion
        }
        reason
        score
        maxScore
        lateSteps
        latePercent
        scoreAfterLate
        checks {
          checkId
          title {
            zh
            en
          }
          status
          points
          maxPoints
        }
      }
      adjustments {
        id
        points
        reason
        actor
        createdAt
      }
      adjustmentTotal
      finalScore
      runs {
        run {
          id
          status
          queuedAt
        }
        practice
        lateSteps
        latePercent
        effectiveScore
        counted
      }
    }
  }
  ${SCHEDULE_FIELDS}
`;

export const LAB_SETTINGS = gql`
  query LabSettings($labId: ID!) {
    lab(id: $labId) {
      id
      title {
        zh
        en
      }
      maxScore
      schedule {
        ...ScheduleFields
      }
    }
    labExtensions(labId: $labId) {
      enrollment {
        id
        namespace
        user {
          name
          email
        }
      }
      dueAt
      reason
      createdAt
    }
    courses {
      id
      slug
      name
      timeZone
    }
  }
  ${SCHEDULE_FIELDS}
`;

/** The students a staff picker offers (the query cost limit keeps one page at 300). */
export const STUDENT_PICKER = gql`
  query StudentPicker {
    enrollments(first: 300) {
      id
      namespace
      user {
        name
        role
      }
    }
  }
`;

export const SET_LAB_SCHEDULE = gql`
  mutation SetLabSchedule($labId: ID!, $input: LabScheduleInput!) {
    setLabSchedule(labId: $labId, input: $input) {
      id
      schedule {
        ...ScheduleFields
      }
    }
  }
  ${SCHEDULE_FIELDS}
`;

export const SET_EXTENSION = gql`
  mutation SetExtension($labId: ID!, $enrollmentId: ID!, $dueAt: DateTime!, $reason: String) {
    setExtension(labId: $labId, enrollmentId: $enrollmentId, dueAt: $dueAt, reason: $reason) {
      dueAt
      reason
    }
  }
`;

export const REMOVE_EXTENSION = gql`
  mutation RemoveExtension($labId: ID!, $enrollmentId: ID!) {
    removeExtension(labId: $labId, enrollmentId: $enrollmentId)
  }
`;

export const ADJUST_SCORE = gql`
  mutation AdjustScore($labId: ID!, $enrollmentId: ID!, $points: Float!, $reason: String!) {
    adjustScore(labId: $labId, enrollmentId: $enrollmentId, points: $points, reason: $reason) {
      finalScore
      adjustmentTotal
    }
  }
`;

// Regrade with a preview (apps/api graphql/regrade-preview.ts).
const PREVIEW_FIELDS = gql`
  fragment PreviewFields on RegradePreview {
    id
    labVersion
    disruptive
    createdBy
    createdAt
    appliedAt
    appliedBy
    applyReason
    neverLower
    items {
      enrollment {
        id
        user {
          name
        }
      }
      namespace
      status
      oldScore
      newScore
      maxScore
      difference
      change
      graderVersion
      error
      appliedRunId
    }
    totals {
      up
      down
      unchanged
      error
      pending
      oldTotal
      newTotal
    }
  }
`;

export const REGRADE_PREVIEW = gql`
  query RegradePreview($id: ID!) {
    regradePreview(id: $id) {
      ...PreviewFields
    }
  }
  ${PREVIEW_FIELDS}
`;

export const PREVIEW_REGRADE = gql`
  mutation PreviewRegrade(
    $labId: ID!
    $enrollmentIds: [ID!]
    $all: Boolean
    $disruptive: Boolean
    $confirmDisruptive: Boolean
  ) {
    previewRegrade(
      labId: $labId
      enrollmentIds: $enrollmentIds
      all: $all
      disruptive: $disruptive
      confirmDisruptive: $confirmDisruptive
    ) {
      ...PreviewFields
    }
  }
  ${PREVIEW_FIELDS}
`;

export const APPLY_REGRADE_PREVIEW = gql`
  mutation ApplyRegradePreview($id: ID!, $neverLower: Boolean, $reason: String!) {
    applyRegradePreview(id: $id, neverLower: $neverLower, reason: $reason) {
      applied
      skippedLower
      preview {
        ...PreviewFields
      }
    }
  }
  ${PREVIEW_FIELDS}
`;

export const SET_CHECK_POINTS = gql`
  mutation SetCheckPoints($labId: ID!, $checkId: ID!, $points: Int!) {
    setCheckPoints(labId: $labId, checkId: $checkId, points: $points) {
      id
      version
      maxScore
      checks {
        id
        title {
          zh
          en
        }
        points
        disruptive
        needs
      }
    }
  }
`;

export const LAB_FOR_REGRADE = gql`
  query LabForRegrade($id: ID!) {
    lab(id: $id) {
      ...LabFields
    }
  }
  ${LAB_FIELDS}
`;

// Class insight per lab (apps/api graphql/insight.ts).
export const CLASS_INSIGHT = gql`
  query ClassInsight($labId: ID!, $stuckRuns: Int) {
    classInsight(labId: $labId, stuckRuns: $stuckRuns) {
      lab {
        id
        title {
          zh
          en
        }
      }
      students
      stuckRuns
      failures {
        checkId
        title {
          zh
          en
        }
        hintKey
        count
        students {
          enrollmentId
          namespace
          name
        }
      }
      timeToPass {
        checkId
        title {
          zh
          en
        }
        tried
        passed
        medianSeconds
      }
      attempts {
        enrollmentId
        namespace
        name
        runs
        lastRunAt
      }
      stuck {
        enrollmentId
        namespace
        name
        checkId
        title {
          zh
          en
        }
        hintKey
        runs
      }
      byDay {
        day
        runs
        students
        passedRuns
        meanScore
      }
    }
  }
`;

/** The student's own dates for a lab (their ledger's schedule part), for the lab card. */
export const DEADLINE_NOTE = gql`
  query DeadlineNote($labId: ID!) {
    scoreLedger(labId: $labId) {
      courseTimeZone
      effectiveDueAt
      extension {
        dueAt
      }
      schedule {
        opensAt
        dueAt
        closesAt
        latePenaltyPercent
        lateStepHours
        lateFloorPercent
        scorePolicy
      }
    }
  }
`;
