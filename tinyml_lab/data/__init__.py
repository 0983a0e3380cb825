"""Datasets, one module per domain. Each has an offline source that needs nothing but
requirements.txt, and says which source it used."""
