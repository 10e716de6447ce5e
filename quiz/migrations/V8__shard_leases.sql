-- V8: which process runs which Discord shard (several bot processes on one PostgreSQL). A process claims
-- its shards before connecting and renews the lease while it runs; a second process given the same shard
-- ids finds the lease fresh and stops, and one taking a killed process's shards over waits for it to lapse.

CREATE TABLE shard_leases (
    shard_count INTEGER NOT NULL,
    shard_id INTEGER NOT NULL,
    holder TEXT NOT NULL,                    -- host:pid:random of the process
    renewed_at REAL NOT NULL,                -- unix seconds
    PRIMARY KEY (shard_count, shard_id)
);
