-- V5: each member's exam date (user_id 0: the server's default, set by a manager), for the countdown in
-- /stats and drills and the cram order of /review in the last week.

CREATE TABLE exam_dates (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,                -- 0: the server's default
    exam_day TEXT NOT NULL,                  -- ISO date
    PRIMARY KEY (guild_id, user_id)
);
