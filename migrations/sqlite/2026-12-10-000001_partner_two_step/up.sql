-- A partner's owners may ask every member of the team to sign in with two
-- steps before the partner's pages open for them.
ALTER TABLE partners ADD COLUMN require_two_step BOOLEAN NOT NULL DEFAULT FALSE;
