"""Report templates shipped with fuldtid (installed as the package fuldtid.templates)."""
