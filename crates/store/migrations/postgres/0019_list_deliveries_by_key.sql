-- The ledger of list copies is read and written by (message, member): the
-- primary key. An index on (message, state) made SQLite's planner pick it
-- for "these members of this message, if still queued", scanning every
-- queued delivery of the message for each batch of answers the fan-out
-- records. Counting a message's deliveries by state reads the primary
-- key's range as cheaply.
DROP INDEX ix_list_deliveries_state;
