"""Survey definitions shipped with fuldtid (installed as the package fuldtid.surveys)."""
