"""Passenger rights, remedies and the entitlement engine."""
