from common.problems import Conflict


class PersonEjSkyddad(Conflict):
    slug, title = "person-not-protected", "The person has no skyddad identitet"


class BehorighetFinns(Conflict):
    slug, title = "behorighet-exists", "The user already has access to this person"
