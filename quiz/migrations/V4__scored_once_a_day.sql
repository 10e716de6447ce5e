-- V4: only a member's first answer to an item on a given day counts for scores, streaks and the
-- leaderboard; answering it again in a new message (/quiz, "Quiz me on this", /review) still
-- reschedules its review. `day` is the member's day of the answer, `scored` whether it counted.

ALTER TABLE attempts ADD COLUMN day TEXT;
ALTER TABLE attempts ADD COLUMN scored INTEGER NOT NULL DEFAULT 1;
UPDATE attempts SET day = substr(answered_at, 1, 10);
CREATE INDEX attempts_day ON attempts (guild_id, user_id, item_id, day);
