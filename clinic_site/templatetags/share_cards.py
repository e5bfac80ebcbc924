"""{% share_card as card %}<title block>{% endshare_card %}: the page's title, rendered once, and its share card."""

from django import template

from clinic_site.share_cards import card_for

register = template.Library()


class ShareCardNode(template.Node):
    child_nodelists = ("nodelist",)  # so the {% block title %} inside stays a block child templates fill

    def __init__(self, nodelist, variable):
        self.nodelist = nodelist
        self.variable = variable

    def render(self, context):
        document_title = self.nodelist.render(context).strip()
        clinic = context.get("clinic")
        clinic_name = getattr(clinic, "name", "") or "Return to Running"
        context[self.variable] = card_for(document_title, clinic_name, picture=page_picture(context))
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
        raise template.TemplateSyntaxError("Use {% share_card as card %}…{% endshare_card %}.")
    nodelist = parser.parse(("endshare_card",))
    parser.delete_first_token()
    return ShareCardNode(nodelist, bits[2])
