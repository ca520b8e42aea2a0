-- Each person's time zone (an IANA name; NULL: the platform's), and the
-- zone business hours are kept in (an IANA name, or `UTC+08:00` for hours
-- saved as a fixed offset; NULL: read `utc_offset_minutes` as before).
ALTER TABLE users ADD COLUMN time_zone TEXT;
ALTER TABLE business_hours ADD COLUMN time_zone TEXT;
