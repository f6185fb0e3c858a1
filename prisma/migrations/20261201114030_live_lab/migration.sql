-- The live lab: a per-lab switch, and the worker's latest live verdict per lab and enrollment.
ALTER TABLE "Lab" ADD COLUMN "liveEnabled" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "LiveState" (
    "labId" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "live" BOOLEAN NOT NULL DEFAULT true,
    "pausedReason" TEXT,
    "checks" JSONB NOT NULL DEFAULT '[]',
    "events" JSONB NOT NULL DEFAULT '[]',
    "evaluatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LiveState_pkey" PRIMARY KEY ("labId","enrollmentId")
);

CREATE INDEX "LiveState_enrollmentId_idx" ON "LiveState"("enrollmentId");

ALTER TABLE "LiveState" ADD CONSTRAINT "LiveState_labId_fkey" FOREIGN KEY ("labId") REFERENCES "Lab"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "LiveState" ADD CONSTRAINT "LiveState_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "Enrollment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
