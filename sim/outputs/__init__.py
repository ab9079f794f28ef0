"""What a run writes and prints: the run folder, the console text, report.md, the plots and
the chronicle."""
