"""Blueprints per screen family: staff screens, admin, API."""
