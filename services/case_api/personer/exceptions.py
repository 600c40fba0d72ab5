from common.problems import Conflict, Forbidden


class PersonEjSkyddad(Conflict):
    slug, title = "person-not-protected", "The person has no skyddad identitet"


class BehorighetFinns(Conflict):
    slug, title = "behorighet-exists", "The user already has access to this person"


class BehorighetAterkallad(Conflict):
    slug, title = "behorighet-revoked", "The permission was revoked already"


class EgenBehorighet(Forbidden):
    slug, title = "self-grant", "Nobody may grant themselves access to a protected person"
