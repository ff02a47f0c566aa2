"""Mail: the outbox, what is written in it (reminders, decisions, the officers' digest,
returned reports) and the SMTP sender that empties it (contract v4, section 9)."""
