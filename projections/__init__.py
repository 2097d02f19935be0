"""Read models, rebuildable from event zero."""
