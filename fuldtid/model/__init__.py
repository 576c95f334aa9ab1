"""The survey model: the definition, the export matched to it, and the side files (coding, population) read against it."""
