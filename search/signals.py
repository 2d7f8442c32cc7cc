"""Every change to a communiqué queues an index update in the same transaction."""
