from common.problems import Conflict, NotFound


class LeveransNotFound(NotFound):
    slug = "leverans-not-found"


class NotReplayable(Conflict):
    slug, title = "leverans-not-replayable", "Only a dead letter of an active subscription is replayed"
