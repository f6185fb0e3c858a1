-- A run inserted QUEUED (every submit, webhook and regrade) changes only its entry's latest run:
-- it has no check results and no score, so the shown run, the cells, the score and the best score
-- (all chosen among started or graded runs) stay as they are. The insert trigger now sets just the
-- latest run for such runs instead of the whole recomputation (EXPLAIN ANALYZE of such an insert,
-- 20 graded runs per enrollment: the trigger 0.73-1.09 ms of 0.95-1.40, now 0.34-0.36 of 0.53-0.59); runs inserted in any other
-- status (imports, tests) still get "kubegrade_scoreboard_refresh". As there, the entries are
-- created if missing and locked in key order first, and the update is a later statement, so it
-- sees every run committed before the lock was granted: a run queued before the entry's latest
-- (committed meanwhile or not) leaves the latest alone.
CREATE OR REPLACE FUNCTION "kubegrade_scoreboard_runs_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(n."labId"), array_agg(n."enrollmentId") INTO ls, es FROM new_rows n WHERE n.status <> 'QUEUED';
    IF ls IS NOT NULL THEN PERFORM "kubegrade_scoreboard_refresh"(ls, es); END IF;

    SELECT array_agg(n."labId"), array_agg(n."enrollmentId") INTO ls, es FROM new_rows n WHERE n.status = 'QUEUED';
    IF ls IS NULL THEN RETURN NULL; END IF;
    INSERT INTO "ScoreboardEntry" ("labId", "enrollmentId")
    SELECT DISTINCT k.l, k.e FROM unnest(ls, es) AS k(l, e) ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM "ScoreboardEntry" s
    WHERE (s."labId", s."enrollmentId") IN (SELECT k.l, k.e FROM unnest(ls, es) AS k(l, e))
    ORDER BY s."labId", s."enrollmentId"
    FOR UPDATE;
    UPDATE "ScoreboardEntry" s SET "latestRunId" = n.id, "latestStatus" = n.status
    FROM (SELECT DISTINCT ON (q."labId", q."enrollmentId") q."labId", q."enrollmentId", q.id, q.status, q."queuedAt"
          FROM new_rows q WHERE q.status = 'QUEUED'
          ORDER BY q."labId", q."enrollmentId", q."queuedAt" DESC) n
    WHERE s."labId" = n."labId" AND s."enrollmentId" = n."enrollmentId"
      AND NOT EXISTS (SELECT 1 FROM "GradingRun" cur WHERE cur.id = s."latestRunId" AND cur."queuedAt" > n."queuedAt");
    RETURN NULL;
END;
$$;
