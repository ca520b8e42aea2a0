DROP TABLE listing_search;
DROP TABLE reviews;
DROP TABLE activities;
DROP TABLE engagements;
DROP TABLE listing_views;
DROP TABLE invitations;
