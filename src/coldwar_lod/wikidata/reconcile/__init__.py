"""A reconciliation service over the dataset (W3C Entity Reconciliation API 0.2)."""
