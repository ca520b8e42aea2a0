DROP TABLE listings;
DROP TABLE categories;
DROP TABLE memberships;
DROP TABLE partners;
