DROP TABLE business_hours;
DROP TABLE sla_policies;
DROP TABLE canned_replies;
DROP TABLE ticket_messages;
DROP TABLE tickets;
