DROP TABLE crm_tags;
DROP TABLE crm_notes;
