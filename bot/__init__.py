"""The Discord side: turns retrieval and quiz results into messages."""
