"""Time limits: the rule table (tabell), the Swedish calendar (kalender), due dates (datum)."""
