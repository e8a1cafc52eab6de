"""Data releases: generations built beside the live one, checked, swapped in atomically,
rolled back, restored from snapshots, and the adoption of the old backend's plain index."""
