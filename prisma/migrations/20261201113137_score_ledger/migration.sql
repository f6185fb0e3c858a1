-- Deadlines, the score policy and the score ledger. A lab gets an open date, a due date, an
-- optional close date, late steps (a deduction in percent per started step after the due date,
-- down to a floor) and a policy naming which run counts. A student may have an extension (their
-- own due date) and manual adjustments (points with a reason). The ledger lives in the
-- scoreboard's read model: ScoreboardEntry gains the counted run, why it counts, its score, the
-- late deduction, the adjustments' sum and the final score, recomputed by statement-level
-- triggers in the transaction of every write that changes one of them (runs, the lab's schedule,
-- extensions, adjustments), like the rest of the entry. The scoreboard, the CSV and the ledger
-- all read these columns; "kubegrade_run_standing" is the one definition of a run's standing
-- (practice, late steps, deduction, score after it), used here and by the ledger's run list.

-- CreateEnum
CREATE TYPE "ScorePolicy" AS ENUM ('BEST', 'LAST', 'BEST_BEFORE_DUE');

-- AlterTable
ALTER TABLE "Course" ADD COLUMN "timeZone" TEXT NOT NULL DEFAULT 'UTC';

-- AlterTable
ALTER TABLE "Lab" ADD COLUMN "opensAt" TIMESTAMPTZ(3),
ADD COLUMN "dueAt" TIMESTAMPTZ(3),
ADD COLUMN "closesAt" TIMESTAMPTZ(3),
ADD COLUMN "latePenaltyPercent" DOUBLE PRECISION,
ADD COLUMN "lateStepHours" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN "lateFloorPercent" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN "scorePolicy" "ScorePolicy" NOT NULL DEFAULT 'LAST';

-- AlterTable
ALTER TABLE "ScoreboardEntry" ADD COLUMN "countedRunId" TEXT,
ADD COLUMN "countedReason" TEXT,
ADD COLUMN "countedScore" DOUBLE PRECISION,
ADD COLUMN "lateSteps" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "latePercent" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN "adjustment" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN "finalScore" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "LabExtension" (
    "labId" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LabExtension_pkey" PRIMARY KEY ("labId","enrollmentId")
);

-- CreateTable
CREATE TABLE "ScoreAdjustment" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "labId" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "points" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "actorId" TEXT,
    "actor" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScoreAdjustment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LabExtension_enrollmentId_idx" ON "LabExtension"("enrollmentId");

-- CreateIndex
CREATE INDEX "ScoreAdjustment_labId_enrollmentId_createdAt_idx" ON "ScoreAdjustment"("labId", "enrollmentId", "createdAt");

-- CreateIndex
CREATE INDEX "ScoreAdjustment_enrollmentId_idx" ON "ScoreAdjustment"("enrollmentId");

-- AddForeignKey
ALTER TABLE "LabExtension" ADD CONSTRAINT "LabExtension_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabExtension" ADD CONSTRAINT "LabExtension_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "Enrollment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScoreAdjustment" ADD CONSTRAINT "ScoreAdjustment_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScoreAdjustment" ADD CONSTRAINT "ScoreAdjustment_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "Enrollment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Not expressible in schema.prisma: the standing of each run and the triggers that keep the ledger.

-- Every run of one (lab, enrollment) with its standing under the lab's schedule and the
-- student's extension: the due date that applies, whether it is practice (queued before the open
-- date or after the close), the late steps started after the due date, the deduction in percent
-- (steps x penalty, at most 100 - floor) and the score after it. The close is the lab's closesAt
-- (moved to the extension's due date when that is later); without one, the due date when the lab
-- has no late steps (late runs are practice), else never.
CREATE FUNCTION "kubegrade_run_standing"("lab" TEXT, "enrollment" TEXT)
RETURNS TABLE ("runId" TEXT, "queuedAt" TIMESTAMPTZ(3), "status" "RunStatus", "score" DOUBLE PRECISION,
               "maxScore" DOUBLE PRECISION, "dueAt" TIMESTAMPTZ(3), "practice" BOOLEAN, "lateSteps" INTEGER,
               "latePercent" DOUBLE PRECISION, "effectiveScore" DOUBLE PRECISION)
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
        SELECT g.id, g."queuedAt", g.status, g.score, g."maxScore", p.opens, p.due, p.closes, p.floor,
               CASE WHEN p.due IS NOT NULL AND p.pen IS NOT NULL AND g."queuedAt" > p.due
                    THEN ceil(extract(epoch FROM g."queuedAt" - p.due) / (greatest(p.step, 1) * 3600.0))::int ELSE 0 END AS steps,
               coalesce(p.pen, 0) AS pen
        FROM "GradingRun" g CROSS JOIN p
        WHERE g."labId" = "lab" AND g."enrollmentId" = "enrollment"),
    d AS (
        SELECT r.*, least(r.steps * r.pen, 100 - r.floor)::float8 AS pct FROM r)
    SELECT d.id, d."queuedAt", d.status, d.score, d."maxScore", d.due,
           coalesce(d.opens IS NOT NULL AND d."queuedAt" < d.opens, FALSE) OR coalesce(d.closes IS NOT NULL AND d."queuedAt" > d.closes, FALSE),
           d.steps, greatest(d.pct, 0),
           CASE WHEN d.score IS NULL THEN NULL
                WHEN d.pct <= 0 THEN d.score
                ELSE round((d.score * (100 - d.pct) / 100)::numeric, 2)::float8 END
    FROM d
$$;

-- Recomputes the ledger columns of the (lab, enrollment) pairs given as two parallel arrays,
-- creating and locking the entries in key order first (as "kubegrade_scoreboard_refresh" does).
-- The counted run is among the graded (PASSED/FAILED), non-practice runs: LAST the latest;
-- BEST the highest score after the late deduction (the earliest of equals); BEST_BEFORE_DUE the
-- highest among runs queued by the due date, or, when there is none, the best late one
-- ("BEST_LATE"). The final score is the counted score after the deduction plus the adjustments,
-- kept between 0 and the run's maximum.
CREATE FUNCTION "kubegrade_ledger_refresh"("labIds" TEXT[], "enrollmentIds" TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
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
                    WHEN st."dueAt" IS NULL OR st."queuedAt" <= st."dueAt" THEN 'BEST_BEFORE_DUE'
                    ELSE 'BEST_LATE' END AS reason
        FROM "kubegrade_run_standing"(k.l, k.e) st
        WHERE st.status IN ('PASSED', 'FAILED') AND NOT st.practice
        ORDER BY
            CASE WHEN lb."scorePolicy" = 'BEST_BEFORE_DUE' AND st."dueAt" IS NOT NULL AND st."queuedAt" > st."dueAt" THEN 1 ELSE 0 END,
            CASE WHEN lb."scorePolicy" = 'LAST' THEN NULL ELSE st."effectiveScore" END DESC NULLS LAST,
            CASE WHEN lb."scorePolicy" = 'LAST' THEN st."queuedAt" END DESC NULLS LAST,
            st."queuedAt", st."runId"
        LIMIT 1) c ON TRUE
    LEFT JOIN LATERAL (
        SELECT sum(x.points) AS total FROM "ScoreAdjustment" x WHERE x."labId" = k.l AND x."enrollmentId" = k.e) a ON TRUE
    WHERE s."labId" = k.l AND s."enrollmentId" = k.e;
END;
$$;

CREATE FUNCTION "kubegrade_ledger_rows_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n."labId"), array_agg(n."enrollmentId") INTO ls, es FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(o."labId"), array_agg(o."enrollmentId") INTO ls, es FROM old_rows o;
    ELSE
        SELECT array_agg(k.l), array_agg(k.e) INTO ls, es FROM (
            SELECT n."labId" AS l, n."enrollmentId" AS e FROM new_rows n
            UNION SELECT o."labId", o."enrollmentId" FROM old_rows o) k;
    END IF;
    IF ls IS NOT NULL THEN PERFORM "kubegrade_ledger_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

-- Runs: only changes the ledger depends on (heartbeats, job ids, check progress are not).
CREATE FUNCTION "kubegrade_ledger_runs_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(k.l), array_agg(k.e) INTO ls, es FROM (
        SELECT n."labId" AS l, n."enrollmentId" AS e FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.score, n."maxScore", n."queuedAt", n."labId", n."enrollmentId")
              IS DISTINCT FROM (o.status, o.score, o."maxScore", o."queuedAt", o."labId", o."enrollmentId")
        UNION
        SELECT o."labId", o."enrollmentId" FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n."labId", n."enrollmentId") IS DISTINCT FROM (o."labId", o."enrollmentId")) k;
    IF ls IS NOT NULL THEN PERFORM "kubegrade_ledger_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

-- A lab's schedule or policy changed: every entry of that lab.
CREATE FUNCTION "kubegrade_ledger_labs_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(s."labId"), array_agg(s."enrollmentId") INTO ls, es
    FROM "ScoreboardEntry" s
    WHERE s."labId" IN (
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n."opensAt", n."dueAt", n."closesAt", n."latePenaltyPercent", n."lateStepHours", n."lateFloorPercent", n."scorePolicy")
              IS DISTINCT FROM (o."opensAt", o."dueAt", o."closesAt", o."latePenaltyPercent", o."lateStepHours", o."lateFloorPercent", o."scorePolicy"));
    IF ls IS NOT NULL THEN PERFORM "kubegrade_ledger_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "GradingRun_ledger_insert" AFTER INSERT ON "GradingRun"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_rows_changed"();
CREATE TRIGGER "GradingRun_ledger_update" AFTER UPDATE ON "GradingRun"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_runs_updated"();
CREATE TRIGGER "GradingRun_ledger_delete" AFTER DELETE ON "GradingRun"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_rows_changed"();
CREATE TRIGGER "Lab_ledger_update" AFTER UPDATE ON "Lab"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_labs_updated"();
CREATE TRIGGER "LabExtension_ledger_insert" AFTER INSERT ON "LabExtension"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_rows_changed"();
CREATE TRIGGER "LabExtension_ledger_update" AFTER UPDATE ON "LabExtension"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_rows_changed"();
CREATE TRIGGER "LabExtension_ledger_delete" AFTER DELETE ON "LabExtension"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_rows_changed"();
CREATE TRIGGER "ScoreAdjustment_ledger_insert" AFTER INSERT ON "ScoreAdjustment"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_rows_changed"();
CREATE TRIGGER "ScoreAdjustment_ledger_delete" AFTER DELETE ON "ScoreAdjustment"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_rows_changed"();

-- The ledger of the runs that exist already.
SELECT "kubegrade_ledger_refresh"(array_agg(k."labId"), array_agg(k."enrollmentId"))
FROM (SELECT DISTINCT "labId", "enrollmentId" FROM "GradingRun") k
HAVING count(*) > 0;
