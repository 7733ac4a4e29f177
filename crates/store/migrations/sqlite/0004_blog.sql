-- The shared blog: posts with their authors, tags and revisions.
-- Keep in step with ../postgres/0004_blog.sql.

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    group_id INTEGER REFERENCES groups (id) ON DELETE SET NULL,
    cover_image TEXT NOT NULL,
    featured INTEGER NOT NULL,
    substance_ok INTEGER NOT NULL,
    review_note TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    published_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_posts_slug ON posts (slug);
CREATE INDEX ix_posts_state_published ON posts (state, published_at);
CREATE INDEX ix_posts_group_published ON posts (group_id, state, published_at);
CREATE INDEX ix_posts_kind_published ON posts (kind, state, published_at);

CREATE TABLE post_authors (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX ix_post_authors_user ON post_authors (user_id);

CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
);
CREATE INDEX ix_post_tags_tag ON post_tags (tag, post_id);

CREATE TABLE post_revisions (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ix_post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    reports INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    moderated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    moderated_at TEXT
);
CREATE INDEX ix_comments_post ON comments (post_id, state, id);
CREATE INDEX ix_comments_state ON comments (state, id);
CREATE INDEX ix_comments_user ON comments (user_id, state);

CREATE TABLE comment_bans (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    banned_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

-- Members who get new posts by email: site-wide (scope '') or one group's (its
-- slug). The token only ends this one subscription, so it is kept as is and put
-- in every mail's unsubscribe link.
CREATE TABLE post_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    token TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_post_subscriptions_user_scope ON post_subscriptions (user_id, scope);
CREATE UNIQUE INDEX ux_post_subscriptions_token ON post_subscriptions (token);
CREATE INDEX ix_post_subscriptions_scope ON post_subscriptions (scope);
