"""审核: the queue of finalized cases for a supervisor."""
