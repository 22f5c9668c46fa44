"""ColdFront plugin for Dell EMC ECS: provisioning on approval, quota changes and usage sync."""

__version__ = "0.1.0"
