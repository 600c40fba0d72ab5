"""Reports for the nämnd and the kvalitetssamordnare, computed from the case data."""
