"""Tests of the distill stage."""
