-- The shared blog: posts with their authors, tags and revisions.
-- Keep in step with ../sqlite/0004_blog.sql.

CREATE TABLE posts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    group_id BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    cover_image TEXT NOT NULL,
    featured BOOLEAN NOT NULL,
    substance_ok BOOLEAN NOT NULL,
    review_note TEXT,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_posts_slug ON posts (slug);
CREATE INDEX ix_posts_state_published ON posts (state, published_at);
CREATE INDEX ix_posts_group_published ON posts (group_id, state, published_at);
CREATE INDEX ix_posts_kind_published ON posts (kind, state, published_at);

CREATE TABLE post_authors (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX ix_post_authors_user ON post_authors (user_id);

CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
CREATE INDEX ix_post_tags_tag ON post_tags (tag, post_id);

CREATE TABLE post_revisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ix_post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE comments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    reports BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    moderated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    moderated_at TIMESTAMPTZ
);
CREATE INDEX ix_comments_post ON comments (post_id, state, id);
CREATE INDEX ix_comments_state ON comments (state, id);
CREATE INDEX ix_comments_user ON comments (user_id, state);

CREATE TABLE comment_bans (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    banned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Members who get new posts by email: site-wide (scope '') or one group's (its
-- slug). The token only ends this one subscription, so it is kept as is and put
-- in every mail's unsubscribe link.
CREATE TABLE post_subscriptions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_post_subscriptions_user_scope ON post_subscriptions (user_id, scope);
CREATE UNIQUE INDEX ux_post_subscriptions_token ON post_subscriptions (token);
CREATE INDEX ix_post_subscriptions_scope ON post_subscriptions (scope);
