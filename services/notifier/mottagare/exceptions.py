from common.problems import Conflict, NotFound


class MottagareNotFound(NotFound):
    slug = "mottagare-not-found"


class MottagareExists(Conflict):
    slug, title = "mottagare-exists", "A recipient with this sub exists; change it with PATCH"
