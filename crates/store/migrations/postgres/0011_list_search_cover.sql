-- Archive search checks each match's list, state and date: from this index
-- rather than from the message's row, whose state lies after the raw
-- message and would be read through it. Keep in step with
-- ../sqlite/0011_list_search_cover.sql.

CREATE INDEX ix_list_messages_cover ON list_messages (id, list_id, state, sent_at);
