DROP TABLE attachment_files;
DROP TABLE attachments;
