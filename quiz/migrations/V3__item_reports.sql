-- V3: members report quiz items they find unfair. One report per member, item and server; an item with
-- two reports, or one from a member with Manage Server, is withdrawn in that server (never served again
-- there), while other servers, which may judge it differently, keep it.

CREATE TABLE item_reports (
    guild_id INTEGER NOT NULL,
    item_id TEXT NOT NULL REFERENCES items (id),
    user_id INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',         -- optional, from the report modal
    by_manager INTEGER NOT NULL,             -- 1: the member had Manage Server when reporting
    reported_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, item_id, user_id)
);
