"""A case's form, rendered from its FormSpec: sections, field editors, header, problems."""
