"""Statistics on the survey model: tables, weights, tests and the protection of small groups;
the protected results (fuldtid.stats.release) every renderer reads."""
