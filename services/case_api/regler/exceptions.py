from common.problems import NotFound


class RegelSaknas(NotFound):
    slug, title = "regel-not-found", "No rule with that id"
