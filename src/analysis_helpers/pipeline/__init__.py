"""Runs a review: validated notebook parameters, quarters, papermill execution, HTML export, the manifest and run.log,
the atomic swap into reports/, and batches of areas."""
