from common.problems import ProblemError


class InvalidEvent(ProblemError):
    status, slug, title = 422, "invalid-cloudevent", "Not a valid CloudEvent 1.0"


class MalformedEvent(ProblemError):
    status, slug, title = 400, "malformed-cloudevent", "The event body is not valid JSON"


class UnsupportedEventMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Send application/cloudevents+json or JSON"


class EventTooLarge(ProblemError):
    status, slug, title = 413, "event-too-large", "The event is too large"
