"""Asset checks beyond dbt's own tests: the data contract on the shared-account join."""
