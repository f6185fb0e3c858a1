-- Outbound signed events: endpoints per course, their encrypted secrets, the delivery log, and
-- regrade batches (regrade.completed is sent when the last run of a batch ends).

-- CreateTable
CREATE TABLE "EventEndpoint" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "courseId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "EventEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EventEndpointSecret" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "endpointId" TEXT NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "tag" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "EventEndpointSecret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EventDelivery" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "endpointId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatusCode" INTEGER,
    "lastResponseMs" INTEGER,
    "lastError" TEXT,
    "log" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMPTZ(3),
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "EventDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegradeBatch" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "labId" TEXT NOT NULL,
    "runIds" TEXT[] NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "RegradeBatch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EventEndpoint_courseId_idx" ON "EventEndpoint"("courseId");

-- CreateIndex
CREATE INDEX "EventEndpointSecret_endpointId_idx" ON "EventEndpointSecret"("endpointId");

-- CreateIndex
CREATE INDEX "EventDelivery_endpointId_createdAt_idx" ON "EventDelivery"("endpointId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "EventEndpoint" ADD CONSTRAINT "EventEndpoint_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "Course"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventEndpointSecret" ADD CONSTRAINT "EventEndpointSecret_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "EventEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventDelivery" ADD CONSTRAINT "EventDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "EventEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;
