from common.problems import Conflict, NotFound


class UtkorgHandelseNotFound(NotFound):
    slug, title = "utkorg-handelse-not-found", "No such outbox event"


class NotDeadLetter(Conflict):
    slug, title = "utkorg-not-dead-letter", "Only a dead letter can be replayed"
