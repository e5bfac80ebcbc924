from django import template

from conditions import formats

register = template.Library()


@register.filter
def clinic_date(value, style="day"):
    """{{ booking.starts_at|clinic_date:"day_time" }} → "Tuesday 3 March, 10:00" / "martes 3 de marzo, 10:00 h"."""
    return formats.clinic_date(value, style)


@register.filter
def mxn(amount):
    """{{ clinic.assessment_price|mxn }} → "$750 MXN"."""
    return formats.price_mxn(amount)
