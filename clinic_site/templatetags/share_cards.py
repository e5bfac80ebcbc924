"""{% share_card as card %}<title>[{% shared_title %}<card title>]{% endshare_card %}: the page's title, rendered once, and its share card.

The part after {% shared_title %}, when it renders to anything, is the card's title in place of the page's own.
"""

from django import template

from clinic_site.share_cards import card_for

register = template.Library()


class ShareCardNode(template.Node):
    # So the {% block title %} and {% block share_title %} inside stay blocks child templates fill.
    child_nodelists = ("nodelist", "shared_nodelist")

    def __init__(self, nodelist, shared_nodelist, variable):
        self.nodelist = nodelist
        self.shared_nodelist = shared_nodelist
        self.variable = variable

    def render(self, context):
        document_title = self.nodelist.render(context).strip()
        shared_title = self.shared_nodelist.render(context).strip()
        clinic = context.get("clinic")
        clinic_name = getattr(clinic, "name", "") or "Return to Running"
        context[self.variable] = card_for(
            document_title, clinic_name, picture=page_picture(context), shared_title=shared_title
        )
        return ""


def page_picture(context):
    """The photo the page is about: a condition's, or the opening photo of the service page. None without a query."""
    for name, field in (("share_picture", None), ("condition", "picture"), ("page", "opening_picture")):
        value = context.get(name)
        if value is None:
            continue
        if field is None:
            return value
        # Only the foreign key's column is read first: a page without a photo costs no query.
        if getattr(value, f"{field}_id", None) is not None:
            return getattr(value, field)
    return None


@register.tag("share_card")
def share_card(parser, token):
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% share_card as card %}…[{% shared_title %}…]{% endshare_card %}.")
    nodelist = parser.parse(("shared_title", "endshare_card"))
    shared_nodelist = template.NodeList()
    if parser.next_token().contents == "shared_title":
        shared_nodelist = parser.parse(("endshare_card",))
        parser.delete_first_token()
    return ShareCardNode(nodelist, shared_nodelist, bits[2])
