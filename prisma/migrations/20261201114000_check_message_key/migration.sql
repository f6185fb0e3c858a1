-- A check result keeps what was found as a message key with parameters (the grader message
-- catalog), so every view renders it in its reader language; message stays the English text.
ALTER TABLE "CheckResult" ADD COLUMN "messageKey" TEXT,
ADD COLUMN "messageParams" JSONB;
