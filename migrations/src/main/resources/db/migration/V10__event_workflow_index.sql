-- An operation's events are found by its workflow id: the Started event is written once, when the
-- workflow's first control-plane step runs, next to the Scheduled one the request wrote.
CREATE INDEX ix_event_workflow ON events (workflow_id, state);
