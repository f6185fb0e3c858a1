-- The scoreboard's read model: one row per lab and enrollment that has runs, with what the
-- scoreboard shows (latest run and its status, the latest started run's check results, the latest
-- score, the best score). Triggers on GradingRun and CheckResult recompute the rows a statement
-- touched, in that statement's transaction, so the read model commits (or rolls back) with the
-- writes it summarises, whoever makes them (api submits and cancels, the worker's lifecycle writes,
-- the reconciler, scripts). The api reads it with one index lookup per enrollment.

-- CreateTable
CREATE TABLE "ScoreboardEntry" (
    "labId" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "latestRunId" TEXT,
    "latestStatus" "RunStatus",
    "shownRunId" TEXT,
    "score" DOUBLE PRECISION,
    "bestScore" DOUBLE PRECISION,
    "lastGradedAt" TIMESTAMPTZ(3),
    "cells" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "ScoreboardEntry_pkey" PRIMARY KEY ("labId","enrollmentId")
);

-- CreateIndex
CREATE INDEX "ScoreboardEntry_enrollmentId_idx" ON "ScoreboardEntry"("enrollmentId");

-- AddForeignKey
ALTER TABLE "ScoreboardEntry" ADD CONSTRAINT "ScoreboardEntry_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScoreboardEntry" ADD CONSTRAINT "ScoreboardEntry_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "Enrollment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Not expressible in schema.prisma: the functions and triggers that keep it current.

-- Recomputes the entries of the (lab, enrollment) pairs given as two parallel arrays. The entries
-- are created if missing and locked in key order first, so writers of the same enrollment take
-- turns and several keys are always locked in one order; the recomputation is a later statement,
-- so (in READ COMMITTED) it sees every write committed before the lock was granted.
CREATE FUNCTION "kubegrade_scoreboard_refresh"("labIds" TEXT[], "enrollmentIds" TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
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
        "latestRunId" = l.id,
        "latestStatus" = l.status,
        "shownRunId" = sh.id,
        "score" = sc.score,
        "lastGradedAt" = sc."finishedAt",
        "bestScore" = bs.best,
        "cells" = coalesce(c.cells, '{}')
    FROM (SELECT DISTINCT k.l, k.e FROM unnest("labIds", "enrollmentIds") AS k(l, e)) AS k
    LEFT JOIN LATERAL (
        SELECT g.id, g.status FROM "GradingRun" g
        WHERE g."enrollmentId" = k.e AND g."labId" = k.l
        ORDER BY g."queuedAt" DESC LIMIT 1) l ON TRUE
    LEFT JOIN LATERAL (
        SELECT g.id FROM "GradingRun" g
        WHERE g."enrollmentId" = k.e AND g."labId" = k.l AND g.status IN ('RUNNING', 'PASSED', 'FAILED', 'ERROR')
        ORDER BY g."queuedAt" DESC LIMIT 1) sh ON TRUE
    LEFT JOIN LATERAL (
        SELECT g.score, g."finishedAt" FROM "GradingRun" g
        WHERE g."enrollmentId" = k.e AND g."labId" = k.l AND g.status IN ('PASSED', 'FAILED')
        ORDER BY g."queuedAt" DESC LIMIT 1) sc ON TRUE
    LEFT JOIN LATERAL (
        SELECT max(g.score) AS best FROM "GradingRun" g
        WHERE g."enrollmentId" = k.e AND g."labId" = k.l AND g.status IN ('PASSED', 'FAILED')) bs ON TRUE
    LEFT JOIN LATERAL (
        SELECT jsonb_object_agg(x."checkId", jsonb_build_object('status', x.status, 'points', x.points)) AS cells
        FROM "CheckResult" x WHERE x."runId" = sh.id) c ON TRUE
    WHERE s."labId" = k.l AND s."enrollmentId" = k.e;
END;
$$;

CREATE FUNCTION "kubegrade_scoreboard_runs_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(n."labId"), array_agg(n."enrollmentId") INTO ls, es FROM new_rows n;
    IF ls IS NOT NULL THEN PERFORM "kubegrade_scoreboard_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

-- Only changes the scoreboard shows: heartbeats (updatedAt) and job ids are not recomputed.
CREATE FUNCTION "kubegrade_scoreboard_runs_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(k.l), array_agg(k.e) INTO ls, es FROM (
        SELECT n."labId" AS l, n."enrollmentId" AS e FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.score, n."finishedAt", n."queuedAt", n."labId", n."enrollmentId")
              IS DISTINCT FROM (o.status, o.score, o."finishedAt", o."queuedAt", o."labId", o."enrollmentId")
        UNION
        SELECT o."labId", o."enrollmentId" FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n."labId", n."enrollmentId") IS DISTINCT FROM (o."labId", o."enrollmentId")) k;
    IF ls IS NOT NULL THEN PERFORM "kubegrade_scoreboard_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION "kubegrade_scoreboard_runs_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(o."labId"), array_agg(o."enrollmentId") INTO ls, es FROM old_rows o;
    IF ls IS NOT NULL THEN PERFORM "kubegrade_scoreboard_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION "kubegrade_scoreboard_checks_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(g."labId"), array_agg(g."enrollmentId") INTO ls, es
    FROM (SELECT DISTINCT n."runId" FROM new_rows n) r JOIN "GradingRun" g ON g.id = r."runId";
    IF ls IS NOT NULL THEN PERFORM "kubegrade_scoreboard_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

-- Only changes the scoreboard shows (status, points): not messages, evidence or timings.
CREATE FUNCTION "kubegrade_scoreboard_checks_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(g."labId"), array_agg(g."enrollmentId") INTO ls, es
    FROM (
        SELECT n."runId" FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.points, n."checkId", n."runId") IS DISTINCT FROM (o.status, o.points, o."checkId", o."runId")
        UNION
        SELECT o."runId" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."runId" IS DISTINCT FROM o."runId") r
    JOIN "GradingRun" g ON g.id = r."runId";
    IF ls IS NOT NULL THEN PERFORM "kubegrade_scoreboard_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION "kubegrade_scoreboard_checks_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(g."labId"), array_agg(g."enrollmentId") INTO ls, es
    FROM (SELECT DISTINCT o."runId" FROM old_rows o) r JOIN "GradingRun" g ON g.id = r."runId";
    IF ls IS NOT NULL THEN PERFORM "kubegrade_scoreboard_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "GradingRun_scoreboard_insert" AFTER INSERT ON "GradingRun"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_scoreboard_runs_inserted"();
CREATE TRIGGER "GradingRun_scoreboard_update" AFTER UPDATE ON "GradingRun"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_scoreboard_runs_updated"();
CREATE TRIGGER "GradingRun_scoreboard_delete" AFTER DELETE ON "GradingRun"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_scoreboard_runs_deleted"();
CREATE TRIGGER "CheckResult_scoreboard_insert" AFTER INSERT ON "CheckResult"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_scoreboard_checks_inserted"();
CREATE TRIGGER "CheckResult_scoreboard_update" AFTER UPDATE ON "CheckResult"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_scoreboard_checks_updated"();
CREATE TRIGGER "CheckResult_scoreboard_delete" AFTER DELETE ON "CheckResult"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_scoreboard_checks_deleted"();

-- Entries for the runs that exist already.
SELECT "kubegrade_scoreboard_refresh"(array_agg(k."labId"), array_agg(k."enrollmentId"))
FROM (SELECT DISTINCT "labId", "enrollmentId" FROM "GradingRun") k
HAVING count(*) > 0;
