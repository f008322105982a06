"""`admin`: a server's Anneal settings, for members with Manage Server."""
