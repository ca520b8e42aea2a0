DROP INDEX users_admin;
DROP INDEX users_staff;
