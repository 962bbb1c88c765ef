# Build and test rules for tests/harness/, included from the top Makefile.am.
