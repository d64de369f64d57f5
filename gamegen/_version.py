"""The SDK version: recorded in every manifest and part of every cache key."""

__version__ = "0.4.1"
