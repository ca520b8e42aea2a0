ALTER TABLE partners DROP COLUMN require_two_step;
