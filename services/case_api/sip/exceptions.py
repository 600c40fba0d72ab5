from common.problems import Conflict


class SipAvslutad(Conflict):
    """A SIP whose last uppföljning set no next date is finished: nothing more to follow up."""

    slug, title = "sip-avslutad", "The SIP is finished"
