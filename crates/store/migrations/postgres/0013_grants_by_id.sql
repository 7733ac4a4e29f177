-- Roles and invitations name what they are for by kind and stable id
-- (`group:{id}`, `calendar:{id}`), no longer by slug: a renamed group keeps
-- its organizers, and a new group at a freed slug gets none of them.
-- A calendar editor of a group's own calendar now holds `group:{id}`.
--
-- Each old slug is resolved as of the grant's (or invitation's) own date:
-- a group renamed since then is found by the revision that moved it off
-- that slug, and a group or calendar made after it never inherits it.
-- `calendar:{slug}` meant the regional calendar when one had that slug,
-- else the group's own calendar. Rows whose slug names nothing are dropped.
-- Keep in step with ../sqlite/0013_grants_by_id.sql.

CREATE TEMPORARY TABLE grant_scopes (id BIGINT PRIMARY KEY, scope TEXT);
INSERT INTO grant_scopes (id, scope)
SELECT r.id, CASE
        WHEN r.scope LIKE 'group:%' THEN 'group:' || CAST(COALESCE(
            (SELECT v.group_id FROM group_revisions v
              WHERE v.changes LIKE ('%"field":"slug","old":"' || substr(r.scope, 7) || '",%')
                AND v.created_at >= r.created_at
              ORDER BY v.id LIMIT 1),
            (SELECT g.id FROM groups g WHERE g.slug = substr(r.scope, 7) AND g.created_at <= r.created_at)) AS TEXT)
        WHEN r.scope NOT LIKE 'calendar:%' THEN NULL
        WHEN (SELECT c.id FROM calendars c WHERE c.slug = substr(r.scope, 10) AND c.created_at <= r.created_at) IS NOT NULL THEN 'calendar:' || CAST((SELECT c.id FROM calendars c WHERE c.slug = substr(r.scope, 10) AND c.created_at <= r.created_at) AS TEXT)
        ELSE 'group:' || CAST(COALESCE(
            (SELECT v.group_id FROM group_revisions v
              WHERE v.changes LIKE ('%"field":"slug","old":"' || substr(r.scope, 10) || '",%')
                AND v.created_at >= r.created_at
              ORDER BY v.id LIMIT 1),
            (SELECT g.id FROM groups g WHERE g.slug = substr(r.scope, 10) AND g.created_at <= r.created_at)) AS TEXT)
    END
  FROM role_grants r
 WHERE r.scope <> '';
DELETE FROM role_grants WHERE id IN (SELECT id FROM grant_scopes WHERE scope IS NULL);
DELETE FROM grant_scopes WHERE scope IS NULL;
-- Someone given the same role again after a rename now holds it once.
DELETE FROM grant_scopes
 WHERE EXISTS (
    SELECT 1 FROM grant_scopes t2
      JOIN role_grants r2 ON r2.id = t2.id
      JOIN role_grants r1 ON r1.id = grant_scopes.id
     WHERE t2.scope = grant_scopes.scope AND r2.user_id = r1.user_id AND r2.role = r1.role
       AND t2.id < grant_scopes.id);
DELETE FROM role_grants WHERE scope <> '' AND id NOT IN (SELECT id FROM grant_scopes);
-- Through a value no row can hold yet, so no two rows meet on the way.
UPDATE role_grants SET scope = 'moving:' || CAST(id AS TEXT) WHERE id IN (SELECT id FROM grant_scopes);
UPDATE role_grants SET scope = (SELECT t.scope FROM grant_scopes t WHERE t.id = role_grants.id)
 WHERE id IN (SELECT id FROM grant_scopes);
DROP TABLE grant_scopes;

CREATE TEMPORARY TABLE invitation_scopes (id BIGINT PRIMARY KEY, scope TEXT);
INSERT INTO invitation_scopes (id, scope)
SELECT r.id, CASE
        WHEN r.scope LIKE 'group:%' THEN 'group:' || CAST(COALESCE(
            (SELECT v.group_id FROM group_revisions v
              WHERE v.changes LIKE ('%"field":"slug","old":"' || substr(r.scope, 7) || '",%')
                AND v.created_at >= r.created_at
              ORDER BY v.id LIMIT 1),
            (SELECT g.id FROM groups g WHERE g.slug = substr(r.scope, 7) AND g.created_at <= r.created_at)) AS TEXT)
        WHEN r.scope NOT LIKE 'calendar:%' THEN NULL
        WHEN (SELECT c.id FROM calendars c WHERE c.slug = substr(r.scope, 10) AND c.created_at <= r.created_at) IS NOT NULL THEN 'calendar:' || CAST((SELECT c.id FROM calendars c WHERE c.slug = substr(r.scope, 10) AND c.created_at <= r.created_at) AS TEXT)
        ELSE 'group:' || CAST(COALESCE(
            (SELECT v.group_id FROM group_revisions v
              WHERE v.changes LIKE ('%"field":"slug","old":"' || substr(r.scope, 10) || '",%')
                AND v.created_at >= r.created_at
              ORDER BY v.id LIMIT 1),
            (SELECT g.id FROM groups g WHERE g.slug = substr(r.scope, 10) AND g.created_at <= r.created_at)) AS TEXT)
    END
  FROM invitations r
 WHERE r.scope <> '';
DELETE FROM invitations WHERE id IN (SELECT id FROM invitation_scopes WHERE scope IS NULL);
DELETE FROM invitation_scopes WHERE scope IS NULL;
-- Through a value no row can hold yet, so no two rows meet on the way.
UPDATE invitations SET scope = 'moving:' || CAST(id AS TEXT) WHERE id IN (SELECT id FROM invitation_scopes);
UPDATE invitations SET scope = (SELECT t.scope FROM invitation_scopes t WHERE t.id = invitations.id)
 WHERE id IN (SELECT id FROM invitation_scopes);
DROP TABLE invitation_scopes;
