"""What tests and benchmarks share: the Discord stand-in, the generated-listing writer, the quality scorer."""
