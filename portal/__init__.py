"""The units' door (contract section 8): web pages for people and a JSON API for programs,
over the same settings, database and object store as the flows."""
