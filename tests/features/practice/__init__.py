"""Tests of the practice feature."""
