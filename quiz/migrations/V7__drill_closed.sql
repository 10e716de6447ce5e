-- V7: when a drill's results were posted on their own (DRILL_CLOSE_HOURS after the drill). The column is
-- the claim: set before the results are sent, so two processes or a restart never post them twice.

ALTER TABLE drills ADD COLUMN closed_at TEXT;
