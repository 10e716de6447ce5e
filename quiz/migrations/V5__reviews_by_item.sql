-- V5: the daily drill counts, per item, the server's members due for it; an index in item order lets that
-- count walk the index instead of sorting every review (benchmarks/stats_load.py).

CREATE INDEX reviews_item_due ON reviews (guild_id, item_id, due);
