-- Staff and admins are a handful among many consumers: the desk's
-- assignee list reads them through these instead of every account.
CREATE INDEX users_staff ON users(is_staff);
CREATE INDEX users_admin ON users(is_admin);
