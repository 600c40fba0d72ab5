from common.problems import Conflict


class JournalStangd(Conflict):
    """The journal takes no new entries once its uppdrag or ärende has ended (corrections still)."""

    slug, title = "journal-stangd", "The journal takes no new entries"
