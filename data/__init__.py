"""Everything stored: engine and tables, repositories that take the acting user, demo data."""
