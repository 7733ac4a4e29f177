-- The job queue's change counter, raised by every new job, so that idle
-- workers wake as soon as one is queued instead of at their next poll (on
-- every instance: the counter is announced on convene_counters).
INSERT INTO counters (name, value) VALUES ('jobs', 1);

CREATE FUNCTION convene_count_jobs() RETURNS trigger AS $$
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'jobs';
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_counted AFTER INSERT ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION convene_count_jobs();
