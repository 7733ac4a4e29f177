-- Servers whose inboxes keep failing: consecutive failed deliveries per
-- host since the last success. After enough of them over at least a day
-- the host is unreachable: deliveries to it wait until next_try_at (a day
-- later) instead of being retried every few minutes, and one success
-- removes the row. Keep in step with ../sqlite/0027_fediverse_unreachable.sql.
CREATE TABLE ap_inbox_hosts (
    host TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_failed_at TIMESTAMPTZ NOT NULL,
    last_failed_at TIMESTAMPTZ NOT NULL,
    last_error TEXT NOT NULL,
    unreachable_since TIMESTAMPTZ,
    next_try_at TIMESTAMPTZ
);
