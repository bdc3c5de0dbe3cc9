"""Sources: where raw tables are read from (files, databases), and what is pushed down."""
