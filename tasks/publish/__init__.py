"""Publishing: indicators, completeness, tables, the snapshot files, the report, pointers."""
