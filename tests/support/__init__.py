"""Helpers shared by several test suites: import them from here instead of copying them."""
