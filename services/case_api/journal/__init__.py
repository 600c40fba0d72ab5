"""The journal: the handläggare's anteckningar on the ärende and the utförare's on the uppdrag."""
