"""Dagster orchestration of the redcat warehouse (`orchestration.definitions`)."""
