# Build and test rules for bench/, included from the top Makefile.am.
