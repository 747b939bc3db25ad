"""Storage: the SQLite store (the only sqlite3 importer) and the installation secret."""
