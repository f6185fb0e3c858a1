-- A run inserted QUEUED (every submit, webhook and regrade) cannot change the ledger: the counted
-- run is chosen among PASSED and FAILED runs only, and the run's later UPDATE to its verdict fires
-- "GradingRun_ledger_update". So the insert trigger refreshes only for runs inserted already graded
-- (imports, tests). This takes the ledger's recomputation out of the submit statement.
CREATE FUNCTION "kubegrade_ledger_runs_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ls TEXT[]; es TEXT[];
BEGIN
    SELECT array_agg(n."labId"), array_agg(n."enrollmentId") INTO ls, es
    FROM new_rows n WHERE n.status IN ('PASSED', 'FAILED');
    IF ls IS NOT NULL THEN PERFORM "kubegrade_ledger_refresh"(ls, es); END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER "GradingRun_ledger_insert" ON "GradingRun";
CREATE TRIGGER "GradingRun_ledger_insert" AFTER INSERT ON "GradingRun"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "kubegrade_ledger_runs_inserted"();
