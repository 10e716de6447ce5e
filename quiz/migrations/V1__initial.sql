-- V1: items, members' answers, scores and reviews, daily drills, per-server config, answer feedback.
-- Discord ids (guilds, users, channels, messages) are 64-bit snowflakes: INTEGER holds them.
-- Times are ISO-8601 UTC text, except reviews.due (unix seconds) which is compared in queries.

CREATE TABLE items (
    id TEXT PRIMARY KEY,              -- QuizItem.id (stable hash of note + kind + question)
    chunk_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    section TEXT NOT NULL,
    body TEXT NOT NULL,               -- QuizItem.to_json()
    position INTEGER NOT NULL,        -- order in the latest sync (guide order)
    retired INTEGER NOT NULL DEFAULT 0,  -- 1: no longer produced by the guide; kept for old attempts
    added_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE INDEX items_active ON items (retired, position);

CREATE TABLE members (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0,
    correct INTEGER NOT NULL DEFAULT 0,
    streak INTEGER NOT NULL DEFAULT 0,       -- consecutive days with an answer, ending on last_day
    best_streak INTEGER NOT NULL DEFAULT 0,
    last_day TEXT,                           -- ISO date of the latest day with an answer
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    item_id TEXT NOT NULL REFERENCES items (id),
    context TEXT NOT NULL,                   -- where it was asked: a quiz message id, a drill id
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    UNIQUE (context, user_id, item_id)       -- a double click or a retry is not a second answer
);
CREATE INDEX attempts_member ON attempts (guild_id, user_id, item_id);

CREATE TABLE reviews (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    item_id TEXT NOT NULL REFERENCES items (id),
    card TEXT NOT NULL,                      -- fsrs.Card JSON (quiz.schedule.ReviewState)
    due INTEGER NOT NULL,                    -- unix seconds
    PRIMARY KEY (guild_id, user_id, item_id)
);
CREATE INDEX reviews_due ON reviews (guild_id, user_id, due);

CREATE TABLE guild_config (
    guild_id INTEGER PRIMARY KEY,
    drill_channel_id INTEGER,
    drill_time TEXT NOT NULL DEFAULT '09:00',   -- HH:MM in the server's timezone
    timezone TEXT NOT NULL DEFAULT 'UTC',       -- IANA name
    drill_count INTEGER NOT NULL DEFAULT 5,
    paused INTEGER NOT NULL DEFAULT 0,
    qa_channel_ids TEXT NOT NULL DEFAULT '[]'   -- JSON list of channel ids where every message is a question
);

CREATE TABLE drills (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    day TEXT NOT NULL,                       -- ISO date in the server's timezone
    nonce TEXT NOT NULL,                     -- sent with the message: Discord drops a repeated send
    item_ids TEXT NOT NULL,                  -- JSON list of QuizItem ids
    channel_id INTEGER,
    message_id INTEGER,                      -- NULL until posted: claimed but maybe not sent
    claimed_at TEXT NOT NULL,
    posted_at TEXT,
    UNIQUE (guild_id, day)                   -- one drill a day per server, whatever the restarts
);
CREATE INDEX drills_unposted ON drills (message_id) WHERE message_id IS NULL;

CREATE TABLE feedback (
    message_id INTEGER NOT NULL,             -- the bot's answer message
    user_id INTEGER NOT NULL,
    guild_id INTEGER,                        -- NULL in direct messages
    question TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,                 -- JSON list: the notes the answer quoted
    helpful INTEGER NOT NULL,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)        -- one vote per member and message; a new click changes it
);
