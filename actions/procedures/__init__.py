"""The procedure catalogue: schema, loader, national-record importer, search and answers."""
