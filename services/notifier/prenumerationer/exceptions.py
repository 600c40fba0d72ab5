from common.problems import Conflict, Forbidden, NotFound, UnprocessableContent


class PrenumerationNotFound(NotFound):
    slug = "prenumeration-not-found"


class WebhookUrlRefused(UnprocessableContent):
    slug, title = "webhook-url-refused", "The webhook URL points at a non-public address"


class PrenumerationInactive(Conflict):
    slug, title = "prenumeration-inactive", "The subscription is disabled"


class OutsideOwnEnhet(Forbidden):
    slug, title = "outside-own-enhet", "Only subscriptions for your own enhet"
