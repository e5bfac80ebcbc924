"""{% shown_picture picture as shown %}: the renditions templates/includes/picture.html writes, without a query."""

from django import template

from clinic.pictures import shown

register = template.Library()


@register.simple_tag
def shown_picture(picture):
    return shown(picture)
