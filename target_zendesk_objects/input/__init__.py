"""Reading Singer input: numbered lines, the records of BATCH files, every line in bounded memory."""
