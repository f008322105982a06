"""Tests of the daily feature's plain modules."""
