-- V6: a review card's stability and last review time as columns, so the group drill can average the
-- members' predicted recall without parsing every card (40,000 cards took half a second as JSON;
-- benchmarks/stats_load.py).

ALTER TABLE reviews ADD COLUMN stability REAL;
ALTER TABLE reviews ADD COLUMN reviewed_at INTEGER;  -- unix seconds of the card's last review
-- sqlite only: filled from the JSON card of an old file; a PostgreSQL schema starts new
UPDATE reviews SET stability = json_extract(card, '$.stability'),
                   reviewed_at = CAST(strftime('%s', json_extract(card, '$.last_review')) AS INTEGER);
-- Covering indexes for the group drill: the active members, then their cards, read from the indexes alone
-- (through the tables, each row carries a card's JSON: 190 ms and 120 ms at 50,000 answers).
CREATE INDEX reviews_recall ON reviews (guild_id, user_id, item_id, stability, reviewed_at);
CREATE INDEX attempts_recent ON attempts (guild_id, answered_at, user_id);
CREATE INDEX attempts_item ON attempts (guild_id, item_id);  -- which items the server has answered at all
