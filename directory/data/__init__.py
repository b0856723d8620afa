"""Data in bulk: the seed, the benchmark's synthetic records, and files in and out."""
