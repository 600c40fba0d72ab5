"""Omprövning: the handläggare's dated task to reconsider a beslut, and how it ends."""
