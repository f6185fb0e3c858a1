-- Regrade with a preview: a dry run grades students' namespaces again without recording runs
-- (the worker writes only these rows), so an instructor sees each student's score difference
-- before applying it. Applying writes ordinary runs (which the ledger triggers then count).

-- CreateTable
CREATE TABLE "RegradePreview" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "labId" TEXT NOT NULL,
    "labVersion" TEXT NOT NULL,
    "disruptive" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT,
    "createdBy" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedAt" TIMESTAMPTZ(3),
    "appliedBy" TEXT,
    "applyReason" TEXT,
    "neverLower" BOOLEAN,

    CONSTRAINT "RegradePreview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegradePreviewItem" (
    "previewId" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "oldScore" DOUBLE PRECISION,
    "newScore" DOUBLE PRECISION,
    "maxScore" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "graderVersion" TEXT,
    "checks" JSONB,
    "error" TEXT,
    "finishedAt" TIMESTAMPTZ(3),
    "appliedRunId" TEXT,

    CONSTRAINT "RegradePreviewItem_pkey" PRIMARY KEY ("previewId","enrollmentId")
);

-- CreateIndex
CREATE INDEX "RegradePreview_labId_createdAt_idx" ON "RegradePreview"("labId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "RegradePreviewItem" ADD CONSTRAINT "RegradePreviewItem_previewId_fkey" FOREIGN KEY ("previewId") REFERENCES "RegradePreview"("id") ON DELETE CASCADE ON UPDATE CASCADE;
