"""The domain core: questionnaire, scoring, statistics, the session state machine and the tally; plain Python, no Flask."""
