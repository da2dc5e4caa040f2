"""Model servers of PrimeHub Local deployments (Seldon v1 REST, as seldon-core's Python microservice)."""
