-- An instructor's regrade counts as of the run it replaces, not as of the regrade: applying a
-- regrade preview after the due date must not turn an on-time score into a late one (nor make
-- practice of it). "countsAsOf" (NULL for the runs students, webhooks and plain regrades start) is
-- the time a run's standing is judged at; "kubegrade_run_standing" returns it as "countsAt" and
-- judges late steps and practice by it, and the ledger judges "by the due date" and orders by it
-- (under LAST, among runs counting at the same time, the one queued last).

-- AlterTable
ALTER TABLE "GradingRun" ADD COLUMN "countsAsOf" TIMESTAMPTZ(3);

-- The return type gains a column: drop and create (kubegrade_ledger_refresh names it at run time).
DROP FUNCTION "kubegrade_run_standing"(TEXT, TEXT);

CREATE FUNCTION "kubegrade_run_standing"("lab" TEXT, "enrollment" TEXT)
RETURNS TABLE ("runId" TEXT, "queuedAt" TIMESTAMPTZ(3), "status" "RunStatus", "score" DOUBLE PRECISION,
               "maxScore" DOUBLE PRECISION, "dueAt" TIMESTAMPTZ(3), "practice" BOOLEAN, "lateSteps" INTEGER,
               "latePercent" DOUBLE PRECISION, "effectiveScore" DOUBLE PRECISION, "countsAt" TIMESTAMPTZ(3))
LANGUAGE sql STABLE AS $$
    WITH p AS (
        SELECT lb."opensAt" AS opens, coalesce(x."dueAt", lb."dueAt") AS due, lb."latePenaltyPercent" AS pen,
               lb."lateStepHours" AS step, lb."lateFloorPercent" AS floor,
               CASE WHEN lb."closesAt" IS NOT NULL THEN greatest(lb."closesAt", x."dueAt")
                    WHEN lb."latePenaltyPercent" IS NULL THEN coalesce(x."dueAt", lb."dueAt")
               END AS closes
        FROM "Lab" lb LEFT JOIN "LabExtension" x ON x."labId" = lb.id AND x."enrollmentId" = "enrollment"
        WHERE lb.id = "lab"),
    r AS (
        SELECT g.id, g."queuedAt", coalesce(g."countsAsOf", g."queuedAt") AS "countsAt", g.status, g.score, g."maxScore", p.opens, p.due, p.closes, p.floor,
               CASE WHEN p.due IS NOT NULL AND p.pen IS NOT NULL AND coalesce(g."countsAsOf", g."queuedAt") > p.due
                    THEN ceil(extract(epoch FROM coalesce(g."countsAsOf", g."queuedAt") - p.due) / (greatest(p.step, 1) * 3600.0))::int ELSE 0 END AS steps,
               coalesce(p.pen, 0) AS pen
        FROM "GradingRun" g CROSS JOIN p
        WHERE g."labId" = "lab" AND g."enrollmentId" = "enrollment"),
    d AS (
        SELECT r.*, least(r.steps * r.pen, 100 - r.floor)::float8 AS pct FROM r)
    SELECT d.id, d."queuedAt", d.status, d.score, d."maxScore", d.due,
           coalesce(d.opens IS NOT NULL AND d."countsAt" < d.opens, FALSE) OR coalesce(d.closes IS NOT NULL AND d."countsAt" > d.closes, FALSE),
           d.steps, greatest(d.pct, 0),
           CASE WHEN d.score IS NULL THEN NULL
                WHEN d.pct <= 0 THEN d.score
                ELSE round((d.score * (100 - d.pct) / 100)::numeric, 2)::float8 END,
           d."countsAt"
    FROM d
$$;

CREATE OR REPLACE FUNCTION "kubegrade_ledger_refresh"("labIds" TEXT[], "enrollmentIds" TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "ScoreboardEntry" ("labId", "enrollmentId")
    SELECT DISTINCT k.l, k.e
    FROM unnest("labIds", "enrollmentIds") AS k(l, e)
    JOIN "Enrollment" en ON en.id = k.e
    JOIN "Lab" lb ON lb.id = k.l
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING;

    PERFORM 1 FROM "ScoreboardEntry" s
    WHERE (s."labId", s."enrollmentId") IN (SELECT k.l, k.e FROM unnest("labIds", "enrollmentIds") AS k(l, e))
    ORDER BY s."labId", s."enrollmentId"
    FOR UPDATE;

    UPDATE "ScoreboardEntry" s SET
        "countedRunId" = c."runId",
        "countedReason" = c.reason,
        "countedScore" = c.score,
        "lateSteps" = coalesce(c."lateSteps", 0),
        "latePercent" = coalesce(c."latePercent", 0),
        "adjustment" = coalesce(a.total, 0),
        "finalScore" = CASE
            WHEN c."runId" IS NOT NULL THEN greatest(0, least(c."maxScore", round((c."effectiveScore" + coalesce(a.total, 0))::numeric, 2)::float8))
            WHEN a.total IS NOT NULL THEN greatest(0, round(a.total::numeric, 2)::float8)
        END
    FROM (SELECT DISTINCT k.l, k.e FROM unnest("labIds", "enrollmentIds") AS k(l, e)) AS k
    JOIN "Lab" lb ON lb.id = k.l
    LEFT JOIN LATERAL (
        SELECT st."runId", st.score, st."maxScore", st."lateSteps", st."latePercent", st."effectiveScore",
               CASE WHEN lb."scorePolicy" <> 'BEST_BEFORE_DUE' THEN lb."scorePolicy"::text
                    WHEN st."dueAt" IS NULL OR st."countsAt" <= st."dueAt" THEN 'BEST_BEFORE_DUE'
                    ELSE 'BEST_LATE' END AS reason
        FROM "kubegrade_run_standing"(k.l, k.e) st
        WHERE st.status IN ('PASSED', 'FAILED') AND NOT st.practice
        ORDER BY
            CASE WHEN lb."scorePolicy" = 'BEST_BEFORE_DUE' AND st."dueAt" IS NOT NULL AND st."countsAt" > st."dueAt" THEN 1 ELSE 0 END,
            CASE WHEN lb."scorePolicy" = 'LAST' THEN NULL ELSE st."effectiveScore" END DESC NULLS LAST,
            CASE WHEN lb."scorePolicy" = 'LAST' THEN st."countsAt" END DESC NULLS LAST,
            CASE WHEN lb."scorePolicy" = 'LAST' THEN st."queuedAt" END DESC NULLS LAST,
            st."countsAt", st."queuedAt", st."runId"
        LIMIT 1) c ON TRUE
    LEFT JOIN LATERAL (
        SELECT sum(x.points) AS total FROM "ScoreAdjustment" x WHERE x."labId" = k.l AND x."enrollmentId" = k.e) a ON TRUE
    WHERE s."labId" = k.l AND s."enrollmentId" = k.e;
END;
$$;
