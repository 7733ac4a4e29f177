-- The blog feeds' validator, MAX(updated_at) over every post, is asked on
-- every feed request; this index answers it without reading any post.
-- Keep in step with ../sqlite/0005_blog_indexes.sql.

CREATE INDEX ix_posts_updated ON posts (updated_at);
