"""Fakes of outside services for tests: a Kubernetes API server."""
