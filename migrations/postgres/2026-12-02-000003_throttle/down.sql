DROP TABLE login_throttle;
DROP TABLE rate_counters;
