-- The sanitised HTML of each post's and comment's Markdown, rendered once
-- when the text is saved instead of on every read. Rows saved before this
-- migration have none (NULL) and are rendered on their first read. Keep in
-- step with ../sqlite/0016_rendered_html.sql.

ALTER TABLE posts ADD COLUMN body_html TEXT;
ALTER TABLE comments ADD COLUMN body_html TEXT;
