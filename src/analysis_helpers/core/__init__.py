"""Shared by every layer: paths, the exception tree, number and date formatting, the logit scale, intervals, and "public
by the data date". Imports nothing else of the package."""
