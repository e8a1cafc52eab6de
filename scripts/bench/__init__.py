"""`make bench` (`python -m scripts.bench`): workloads under wrk against autos-graph and its peers."""
