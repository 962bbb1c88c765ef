# Build and test rules for tests/fuzz/, included from the top Makefile.am.
