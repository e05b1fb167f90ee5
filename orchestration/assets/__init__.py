"""Assets: the raw data and every dbt model."""
