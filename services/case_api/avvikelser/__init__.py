"""Avvikelser: lex Sarah reports, other deviations and risks, synpunkter and klagomål (seed 002)."""
