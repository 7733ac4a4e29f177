-- The job queue's change counter, raised by every new job, so that idle
-- workers wake as soon as one is queued instead of at their next poll.
INSERT INTO counters (name, value) VALUES ('jobs', 1);

CREATE TRIGGER jobs_counted_insert AFTER INSERT ON jobs
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'jobs';
END;
