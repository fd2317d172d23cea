"""Drawing replies: a rich view for terminals and a plain view for pipes."""
