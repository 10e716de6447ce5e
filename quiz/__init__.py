"""Quiz items built from the notes, graded answers, scores and spaced repetition. No Discord import."""
