-- A refusal a single SQL statement can raise: submitRun queues a run in one statement (cooldown
-- token, pg-boss job, run, audit entry, notifications) and must undo all of it when the cooldown
-- bucket turned out empty or the queue is missing. A statement that raises is rolled back whole.
-- VOLATILE so the planner never evaluates it ahead of the condition that guards it.
CREATE FUNCTION "kubegrade_refuse"("reason" TEXT) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'kubegrade_refused:%', "reason" USING ERRCODE = 'P0001';
END;
$$;
