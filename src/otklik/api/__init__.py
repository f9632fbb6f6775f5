"""REST API v1: thin handlers over the domains' queries and actions."""
